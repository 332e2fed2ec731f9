module inlines

go 1.22
