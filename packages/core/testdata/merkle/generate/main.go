// Command generate writes the golden Merkle vectors in ../ using
// github.com/transparency-dev/merkle, the RFC 6962/9162 implementation behind Trillian
// and Sigstore, so that @ledgerkit/core's verifier is checked against an implementation
// we did not write. Every tampered case is confirmed to be rejected by that library
// before it is written.
//
//	cd packages/core/testdata/merkle/generate && go run .
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/transparency-dev/merkle/testonly"
)

var hasher = rfc6962.DefaultHasher

type inclusionCase struct {
	Mutation  string   `json:"mutation,omitempty"`
	LeafIndex uint64   `json:"leafIndex"`
	TreeSize  uint64   `json:"treeSize"`
	LeafHash  string   `json:"leafHash"`
	AuditPath []string `json:"auditPath"`
	RootHash  string   `json:"rootHash"`
}

type consistencyCase struct {
	Mutation string   `json:"mutation,omitempty"`
	OldSize  uint64   `json:"oldSize"`
	NewSize  uint64   `json:"newSize"`
	OldRoot  string   `json:"oldRoot"`
	NewRoot  string   `json:"newRoot"`
	Proof    []string `json:"proof"`
}

type file struct {
	Description string `json:"description"`
	Generator   string `json:"generator"`
	LeafData    string `json:"leafData"`
	MaxSize     uint64 `json:"maxSize"`
	Inclusion   any
	Consistency any
}

func leafData(i uint64) []byte { return []byte(fmt.Sprintf("ledgerkit golden leaf %d", i)) }

func hexes(hashes [][]byte) []string {
	out := make([]string, len(hashes))
	for i, h := range hashes {
		out[i] = hex.EncodeToString(h)
	}
	return out
}

func unhex(hashes []string) [][]byte {
	out := make([][]byte, len(hashes))
	for i, h := range hashes {
		b, err := hex.DecodeString(h)
		if err != nil {
			panic(err)
		}
		out[i] = b
	}
	return out
}

func flip(h string) string {
	b, _ := hex.DecodeString(h)
	b[0] ^= 0x01
	return hex.EncodeToString(b)
}

func other(label string) string {
	sum := sha256.Sum256([]byte(label))
	return hex.EncodeToString(sum[:])
}

func clone(path []string) []string { return append([]string{}, path...) }

func rejectsInclusion(c inclusionCase) bool {
	if c.LeafIndex >= c.TreeSize {
		return false // an argument error, not a tampered proof
	}
	leaf, _ := hex.DecodeString(c.LeafHash)
	root, _ := hex.DecodeString(c.RootHash)
	return proof.VerifyInclusion(hasher, c.LeafIndex, c.TreeSize, leaf, unhex(c.AuditPath), root) != nil
}

func rejectsConsistency(c consistencyCase) bool {
	if c.OldSize > c.NewSize {
		return false
	}
	r1, _ := hex.DecodeString(c.OldRoot)
	r2, _ := hex.DecodeString(c.NewRoot)
	return proof.VerifyConsistency(hasher, c.OldSize, c.NewSize, unhex(c.Proof), r1, r2) != nil
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// write keeps one case per line: small files, readable diffs.
func write(dir, name string, f file) {
	var b strings.Builder
	header, err := json.Marshal(struct {
		Description string `json:"description"`
		Generator   string `json:"generator"`
		LeafData    string `json:"leafData"`
		MaxSize     uint64 `json:"maxSize"`
	}{f.Description, f.Generator, f.LeafData, f.MaxSize})
	must(err)
	b.Write(header[:len(header)-1])
	section := func(key string, cases any) {
		if cases == nil {
			return
		}
		data, err := json.Marshal(cases)
		must(err)
		var items []json.RawMessage
		must(json.Unmarshal(data, &items))
		fmt.Fprintf(&b, ",\n%q: [", key)
		for i, item := range items {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("\n  ")
			b.Write(item)
		}
		b.WriteString("\n]")
	}
	section("inclusion", f.Inclusion)
	section("consistency", f.Consistency)
	b.WriteString("\n}\n")
	must(os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644))
}

func main() {
	max := flag.Uint64("max", 33, "largest tree size")
	tamperedMax := flag.Uint64("tampered-max", 20, "largest tree size of the tampered cases")
	out := flag.String("out", "..", "output directory")
	flag.Parse()

	tree := testonly.New(hasher)
	for i := uint64(0); i < *max; i++ {
		tree.AppendData(leafData(i))
	}
	root := func(size uint64) string { return hex.EncodeToString(tree.HashAt(size)) }

	var inclusion, tamperedInclusion []inclusionCase
	for size := uint64(1); size <= *max; size++ {
		for index := uint64(0); index < size; index++ {
			p, err := tree.InclusionProof(index, size)
			must(err)
			valid := inclusionCase{
				LeafIndex: index, TreeSize: size,
				LeafHash:  hex.EncodeToString(tree.LeafHash(index)),
				AuditPath: hexes(p), RootHash: root(size),
			}
			if err := proof.VerifyInclusion(hasher, index, size, tree.LeafHash(index), p, tree.HashAt(size)); err != nil {
				panic(err)
			}
			inclusion = append(inclusion, valid)

			var mutations []inclusionCase
			add := func(name string, edit func(c *inclusionCase)) {
				c := valid
				c.AuditPath = clone(valid.AuditPath)
				c.Mutation = name
				edit(&c)
				mutations = append(mutations, c)
			}
			n := len(valid.AuditPath)
			if n > 0 {
				j := int(size+index) % n // a different sibling position across cases
				add("wrong-sibling", func(c *inclusionCase) { c.AuditPath[j] = flip(c.AuditPath[j]) })
			}
			add("wrong-size-larger", func(c *inclusionCase) { c.TreeSize++; c.RootHash = root(min(c.TreeSize, *max)) })
			add("wrong-size-smaller", func(c *inclusionCase) { c.TreeSize-- })
			add("wrong-size-same-root", func(c *inclusionCase) { c.TreeSize++ })
			if n > 0 {
				add("truncated-path", func(c *inclusionCase) { c.AuditPath = c.AuditPath[:n-1] })
				add("truncated-path-front", func(c *inclusionCase) { c.AuditPath = c.AuditPath[1:] })
			}
			add("extra-element", func(c *inclusionCase) { c.AuditPath = append(c.AuditPath, other("extra")) })
			add("extra-element-front", func(c *inclusionCase) { c.AuditPath = append([]string{other("extra")}, c.AuditPath...) })
			if n >= 2 {
				add("swapped-order", func(c *inclusionCase) { c.AuditPath[0], c.AuditPath[1] = c.AuditPath[1], c.AuditPath[0] })
				add("reversed-order", func(c *inclusionCase) {
					for a, b := 0, n-1; a < b; a, b = a+1, b-1 {
						c.AuditPath[a], c.AuditPath[b] = c.AuditPath[b], c.AuditPath[a]
					}
				})
			}
			add("wrong-index", func(c *inclusionCase) { c.LeafIndex ^= 1 })
			add("wrong-leaf", func(c *inclusionCase) { c.LeafHash = flip(c.LeafHash) })
			add("wrong-root", func(c *inclusionCase) { c.RootHash = flip(c.RootHash) })
			for _, m := range mutations {
				if size <= *tamperedMax && rejectsInclusion(m) {
					tamperedInclusion = append(tamperedInclusion, m)
				}
			}
		}
	}

	var consistency, tamperedConsistency []consistencyCase
	for size2 := uint64(1); size2 <= *max; size2++ {
		for size1 := uint64(0); size1 <= size2; size1++ {
			p, err := tree.ConsistencyProof(size1, size2)
			must(err)
			valid := consistencyCase{OldSize: size1, NewSize: size2, OldRoot: root(size1), NewRoot: root(size2), Proof: hexes(p)}
			if err := proof.VerifyConsistency(hasher, size1, size2, p, tree.HashAt(size1), tree.HashAt(size2)); err != nil {
				panic(err)
			}
			consistency = append(consistency, valid)

			var mutations []consistencyCase
			add := func(name string, edit func(c *consistencyCase)) {
				c := valid
				c.Proof = clone(valid.Proof)
				c.Mutation = name
				edit(&c)
				mutations = append(mutations, c)
			}
			n := len(valid.Proof)
			if n > 0 {
				j := int(size1+size2) % n
				add("wrong-sibling", func(c *consistencyCase) { c.Proof[j] = flip(c.Proof[j]) })
			}
			if size1 > 0 {
				add("wrong-old-size-smaller", func(c *consistencyCase) { c.OldSize-- })
			}
			add("wrong-old-size-larger", func(c *consistencyCase) { c.OldSize++ })
			add("wrong-new-size-larger", func(c *consistencyCase) { c.NewSize++ })
			add("wrong-new-size-smaller", func(c *consistencyCase) { c.NewSize-- })
			if n > 0 {
				add("truncated-path", func(c *consistencyCase) { c.Proof = c.Proof[:n-1] })
				add("truncated-path-front", func(c *consistencyCase) { c.Proof = c.Proof[1:] })
			}
			add("extra-element", func(c *consistencyCase) { c.Proof = append(c.Proof, other("extra")) })
			if n >= 2 {
				add("swapped-order", func(c *consistencyCase) { c.Proof[0], c.Proof[1] = c.Proof[1], c.Proof[0] })
			}
			add("wrong-old-root", func(c *consistencyCase) { c.OldRoot = flip(c.OldRoot) })
			add("wrong-new-root", func(c *consistencyCase) { c.NewRoot = flip(c.NewRoot) })
			if size1 > 0 && size1 < size2 {
				add("swapped-roots", func(c *consistencyCase) { c.OldRoot, c.NewRoot = c.NewRoot, c.OldRoot })
			}
			for _, m := range mutations {
				if size2 <= *tamperedMax && rejectsConsistency(m) {
					tamperedConsistency = append(tamperedConsistency, m)
				}
			}
		}
	}

	const gen = "github.com/transparency-dev/merkle v0.0.2 (rfc6962.DefaultHasher, testonly.Tree, proof.Verify*)"
	const data = "leaf i is the UTF-8 string \"ledgerkit golden leaf <i>\""
	write(*out, "inclusion.json", file{"Valid RFC 9162 inclusion proofs for every leaf of every tree size 1..maxSize.", gen, data, *max, inclusion, nil})
	write(*out, "consistency.json", file{"Valid RFC 9162 consistency proofs for every pair 0 <= oldSize <= newSize <= maxSize.", gen, data, *max, nil, consistency})
	write(*out, "tampered.json", file{"Altered proofs for tree sizes 1..20, each rejected by the generator's verifier; every one must be rejected.", gen, data, *max, tamperedInclusion, tamperedConsistency})
	fmt.Printf("inclusion %d, consistency %d, tampered inclusion %d, tampered consistency %d\n",
		len(inclusion), len(consistency), len(tamperedInclusion), len(tamperedConsistency))
}
