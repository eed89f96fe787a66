module dfmemlint.test/go_memlimit

go 1.21
