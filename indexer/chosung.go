package indexer

import (
	"strings"
	"unicode/utf8"
)

// initials are the 19 initial consonants of Hangul syllables as Hangul
// Compatibility Jamo, the letters a keyboard types: ㄱ ㄲ ㄴ ㄷ ㄸ ㄹ ㅁ ㅂ ㅃ
// ㅅ ㅆ ㅇ ㅈ ㅉ ㅊ ㅋ ㅌ ㅍ ㅎ.
var initials = []rune("ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ")

const (
	syllableFirst = 0xAC00 // 가
	syllableLast  = 0xD7A3 // 힣
	// syllablesPerInitial is 21 medial vowels × 28 finals.
	syllablesPerInitial = 21 * 28
)

// Chosung returns the initial consonants (초성) of the Hangul syllables of
// s, word by word: "자료구조 실습" → "ㅈㄹㄱㅈ ㅅㅅ". Consonants already typed
// as jamo are kept; other characters are dropped, and words without Hangul
// vanish.
func Chosung(s string) string {
	var b strings.Builder
	for _, word := range strings.Fields(s) {
		start := b.Len()
		if start > 0 {
			b.WriteByte(' ')
		}
		n := 0
		for _, r := range word {
			switch {
			case r >= syllableFirst && r <= syllableLast:
				b.WriteRune(initials[(r-syllableFirst)/syllablesPerInitial])
				n++
			case isInitial(r):
				b.WriteRune(r)
				n++
			}
		}
		if n == 0 {
			// Drop the separator written for a word without Hangul.
			str := b.String()[:start]
			b.Reset()
			b.WriteString(str)
		}
	}
	return b.String()
}

// IsChosung reports whether w is made only of initial consonants, the way
// a user types a 초성 query such as ㅈㄹㄱㅈ.
func IsChosung(w string) bool {
	if w == "" || !utf8.ValidString(w) {
		return false
	}
	for _, r := range w {
		if !isInitial(r) {
			return false
		}
	}
	return true
}

func isInitial(r rune) bool {
	for _, c := range initials {
		if r == c {
			return true
		}
	}
	return false
}
