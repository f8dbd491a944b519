module ledgerkit.dev/core/testdata/merkle/generate

go 1.22

require github.com/transparency-dev/merkle v0.0.2
