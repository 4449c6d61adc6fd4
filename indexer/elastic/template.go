package elastic

import (
	"encoding/json"
	"strconv"
)

// TemplateVersion is the version of the index template and mapping below.
// Changing the mapping means a new version: the indexer then builds a new
// index (Alias-v<N>) from a snapshot and switches the alias to it once it
// has caught up, with no search downtime.
const TemplateVersion = 1

// template returns the index template for indices named index: Korean
// text through Nori (analysis-nori), an edge n-gram subfield for partial
// words, a lower-cased keyword subfield for exact matches, and an n-gram
// field over initial consonants (초성).
func template(index string, replicas int) ([]byte, error) {
	edge := func(analyzer string) map[string]any {
		return map[string]any{"type": "text", "analyzer": analyzer, "search_analyzer": "cm_term"}
	}
	lower := map[string]any{"type": "keyword", "normalizer": "cm_lower"}
	t := map[string]any{
		"index_patterns": []string{index},
		"priority":       200,
		"version":        TemplateVersion,
		"_meta":          map[string]any{"description": "classmate course search documents"},
		"template": map[string]any{
			"settings": map[string]any{
				"number_of_shards":   1,
				"number_of_replicas": replicas,
				"refresh_interval":   "1s",
				"max_ngram_diff":     19,
				"analysis": map[string]any{
					"tokenizer": map[string]any{
						"cm_nori": map[string]any{"type": "nori_tokenizer", "decompound_mode": "mixed"},
					},
					"filter": map[string]any{
						"cm_edge":  map[string]any{"type": "edge_ngram", "min_gram": 1, "max_gram": 20},
						"cm_ngram": map[string]any{"type": "ngram", "min_gram": 1, "max_gram": 3},
					},
					"analyzer": map[string]any{
						// Nori morphemes: 자료구조 → 자료구조, 자료, 구조.
						"cm_korean": custom("cm_nori", "nori_part_of_speech", "lowercase"),
						"cm_word":   custom("whitespace", "lowercase"),
						"cm_term":   custom("keyword", "lowercase"),
						"cm_edge":   custom("whitespace", "lowercase", "cm_edge"),
						"cm_code":   custom("keyword", "lowercase", "cm_edge"),
						"cm_jamo":   custom("whitespace", "cm_ngram"),
					},
					"normalizer": map[string]any{
						"cm_lower": map[string]any{"type": "custom", "filter": []string{"lowercase"}},
					},
				},
			},
			"mappings": map[string]any{
				"dynamic": "strict",
				"properties": map[string]any{
					"id":      map[string]any{"type": "long"},
					"version": map[string]any{"type": "long"},
					"deleted": map[string]any{"type": "boolean"},
					"code":    map[string]any{"type": "keyword", "normalizer": "cm_lower", "fields": map[string]any{"edge": edge("cm_code")}},
					"title": map[string]any{"type": "text", "analyzer": "cm_korean",
						"fields": map[string]any{"edge": edge("cm_edge"), "keyword": lower}},
					"professor": map[string]any{"type": "text", "analyzer": "cm_word",
						"fields": map[string]any{"edge": edge("cm_edge"), "keyword": lower}},
					"department":        map[string]any{"type": "keyword"},
					"credits":           map[string]any{"type": "integer"},
					"capacity":          map[string]any{"type": "integer", "index": false},
					"remaining":         map[string]any{"type": "integer", "index": false},
					"schedule":          map[string]any{"type": "object", "enabled": false},
					"room":              map[string]any{"type": "keyword", "index": false},
					"days":              map[string]any{"type": "keyword"},
					"title_chosung":     map[string]any{"type": "text", "analyzer": "cm_jamo", "fields": map[string]any{"keyword": map[string]any{"type": "keyword"}}},
					"professor_chosung": map[string]any{"type": "text", "analyzer": "cm_jamo"},
				},
			},
		},
	}
	return json.Marshal(t)
}

// custom is a custom analyzer.
func custom(tokenizer string, filters ...string) map[string]any {
	return map[string]any{"type": "custom", "tokenizer": tokenizer, "filter": filters}
}

// checkpointMapping is the mapping of the small checkpoint index: one
// document per concrete search index, holding the JSON checkpoint.
const checkpointMapping = `{"settings":{"number_of_shards":1,"number_of_replicas":0},` +
	`"mappings":{"dynamic":false,"properties":{"checkpoint":{"type":"object","enabled":false}}}}`

// indexName is the concrete index of template version v.
func indexName(alias string, v int) string {
	return alias + "-v" + strconv.Itoa(v)
}
