package filter

import (
	"fmt"
	"strings"
)

type tokenKind int

const (
	tokEOF tokenKind = iota
	tokIdent
	tokKey // the text inside [...]
	tokString
	tokOp
	tokComma
	tokAnd
	tokOr
	tokLParen
	tokRParen
)

var tokenNames = [...]string{"end of filter", "field name", "[key]", "quoted value", "operator", "','", "'+'", "'|'", "'('", "')'"}

func (k tokenKind) String() string { return tokenNames[k] }

type token struct {
	kind tokenKind
	pos  int
	text string
	op   Op
}

// Error is a filter that does not parse or compile; Pos is the byte offset of the problem.
type Error struct {
	Pos int
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("invalid filter at position %d: %s", e.Pos, e.Msg) }

func errAt(pos int, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// lex splits s into tokens. Whitespace outside strings is ignored.
func lex(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case isSpace(c):
			i++
		case c == '"':
			end := strings.IndexByte(s[i+1:], '"')
			if end < 0 {
				return nil, errAt(i, "unterminated string (strings are enclosed in double quotes and have no escapes)")
			}
			toks = append(toks, token{kind: tokString, pos: i, text: s[i+1 : i+1+end]})
			i += end + 2
		case c == '[':
			end := strings.IndexByte(s[i+1:], ']')
			if end < 0 {
				return nil, errAt(i, "unterminated '[' (want label[<key>])")
			}
			key := strings.TrimSpace(s[i+1 : i+1+end])
			key = strings.TrimSpace(strings.Trim(key, `"`))
			if key == "" {
				return nil, errAt(i, "empty key in [ ]")
			}
			toks = append(toks, token{kind: tokKey, pos: i, text: key})
			i += end + 2
		case c == ',':
			toks = append(toks, token{kind: tokComma, pos: i, text: ","})
			i++
		case c == '+':
			toks = append(toks, token{kind: tokAnd, pos: i, text: "+"})
			i++
		case c == '|':
			toks = append(toks, token{kind: tokOr, pos: i, text: "|"})
			i++
		case c == '(':
			toks = append(toks, token{kind: tokLParen, pos: i, text: "("})
			i++
		case c == ')':
			toks = append(toks, token{kind: tokRParen, pos: i, text: ")"})
			i++
		case c == ':' || c == '!' || c == '~' || c == '<':
			op, n := lexOp(s[i:])
			if n == 0 {
				return nil, errAt(i, "unknown operator starting with %q; operators are : !: ~: !~: <~: !<~: ~>: !~>:", string(c))
			}
			toks = append(toks, token{kind: tokOp, pos: i, text: s[i : i+n], op: op})
			i += n
		case isIdentByte(c):
			j := i
			for j < len(s) && isIdentByte(s[j]) {
				j++
			}
			toks = append(toks, token{kind: tokIdent, pos: i, text: s[i:j]})
			i = j
		default:
			return nil, errAt(i, "unexpected character %q", string(rune(c)))
		}
	}
	return append(toks, token{kind: tokEOF, pos: len(s)}), nil
}

// lexOp matches the longest operator at the start of s.
func lexOp(s string) (Op, int) {
	best, n := Op(0), 0
	for i, t := range opText {
		if len(t) > n && strings.HasPrefix(s, t) {
			best, n = Op(i), len(t)
		}
	}
	return best, n
}
