module chanscope.dev/fixtures

go 1.22
