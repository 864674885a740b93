module github.com/zodbneo/zodbneo

go 1.26.8
