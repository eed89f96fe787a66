// Command compose_template writes tests/fixtures/compose-template/substitutions.jsonl: each
// template (one JSON string a line on standard input) interpolated by compose-go's own template
// package, with V=1 and E= set and every other variable unset. To regenerate (or to add cases,
// as more lines of templates) from this folder:
//
//	F=../fixtures/compose-template/substitutions.jsonl
//	go mod tidy && jq -c .template $F | go run . > new.jsonl && mv new.jsonl $F
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/template"
)

func main() {
	env := map[string]string{"V": "1", "E": ""}
	mapping := func(name string) (string, bool) {
		value, ok := env[name]
		return value, ok
	}
	scanner := bufio.NewScanner(os.Stdin)
	for scanner.Scan() {
		var tpl string
		if err := json.Unmarshal(scanner.Bytes(), &tpl); err != nil {
			panic(err)
		}
		// An error (an invalid template, a required variable missing) is a null value.
		var value *string
		if out, err := template.SubstituteWithOptions(tpl, mapping, template.WithoutLogging); err == nil {
			value = &out
		}
		line, _ := json.Marshal(map[string]any{"template": tpl, "value": value})
		fmt.Println(string(line))
	}
}
