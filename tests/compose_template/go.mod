module dfmemlint.test/compose_template

go 1.24

require github.com/compose-spec/compose-go/v2 v2.13.0
