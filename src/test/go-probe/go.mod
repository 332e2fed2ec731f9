module chanscope.dev/probe

go 1.18
