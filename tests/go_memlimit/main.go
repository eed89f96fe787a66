// Command go_memlimit prints the memory limit the Go runtime read from GOMEMLIMIT at start-up.
//
// The runtime parses GOMEMLIMIT before main runs: a value it rejects makes the process die with
// "fatal error: malformed GOMEMLIMIT" and exit status 2, so main is only reached for accepted
// values. debug.SetMemoryLimit with a negative argument reports the limit without changing it;
// "off" and the empty string report math.MaxInt64.
package main

import (
	"fmt"
	"runtime/debug"
)

func main() {
	fmt.Println(debug.SetMemoryLimit(-1))
}
