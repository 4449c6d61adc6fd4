package indexer_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"classmate/indexer"
)

func TestChosung(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"자료구조":             "ㅈㄹㄱㅈ",
		"자료구조 실습":          "ㅈㄹㄱㅈ ㅅㅅ",
		"까치 뺨":             "ㄲㅊ ㅃ",
		"Business English": "",
		"C프로그래밍":           "ㅍㄹㄱㄹㅁ",
		"English 회화":       "ㅎㅎ",
		"ㅈㄹ구조":             "ㅈㄹㄱㅈ",
		"가힣":               "ㄱㅎ",
		"":                 "",
	} {
		assert.Equal(t, want, indexer.Chosung(in), in)
	}
}

func TestIsChosung(t *testing.T) {
	t.Parallel()
	assert.True(t, indexer.IsChosung("ㅈㄹㄱㅈ"))
	assert.True(t, indexer.IsChosung("ㄲ"))
	assert.False(t, indexer.IsChosung("ㅏ"), "a vowel")
	assert.False(t, indexer.IsChosung("자ㄹ"))
	assert.False(t, indexer.IsChosung(""))
	assert.False(t, indexer.IsChosung("abc"))
}

func TestGrams(t *testing.T) {
	t.Parallel()
	assert.Equal(t, []string{"자료"}, indexer.Grams("자료"))
	assert.Equal(t, []string{"자료구", "료구조"}, indexer.Grams("자료구조"))
	assert.Equal(t, []string{"aaa"}, indexer.Grams("aaaaa"), "duplicates once")
}
