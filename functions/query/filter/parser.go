package filter

// maxDepth bounds parenthesis nesting.
const maxDepth = 64

// Parse parses a filter into its AST. An empty (or all-space) filter returns nil, which matches
// everything. Field names are not checked here; CompileAllocation and CompileAsset do that.
func Parse(s string) (Node, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	if toks[0].kind == tokEOF {
		return nil, nil
	}
	p := &parser{toks: toks}
	n, err := p.filter(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, errAt(t.pos, "unexpected %s %q", t.kind, t.text)
	}
	return n, nil
}

type parser struct {
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

// filter parses elements joined by one kind of group operator.
func (p *parser) filter(depth int) (Node, error) {
	first, err := p.element(depth)
	if err != nil {
		return nil, err
	}
	children := []Node{first}
	var groupOp tokenKind
	for {
		t := p.peek()
		if t.kind != tokAnd && t.kind != tokOr {
			break
		}
		if groupOp != 0 && t.kind != groupOp {
			return nil, errAt(t.pos, "cannot mix '+' and '|' in one group; add parentheses, e.g. (a:\"x\"+b:\"y\")|c:\"z\"")
		}
		groupOp = t.kind
		p.next()
		n, err := p.element(depth)
		if err != nil {
			return nil, err
		}
		children = append(children, n)
	}
	switch groupOp {
	case tokAnd:
		return &And{Children: children}, nil
	case tokOr:
		return &Or{Children: children}, nil
	}
	return first, nil
}

func (p *parser) element(depth int) (Node, error) {
	t := p.next()
	switch t.kind {
	case tokLParen:
		if depth >= maxDepth {
			return nil, errAt(t.pos, "parentheses nested deeper than %d", maxDepth)
		}
		n, err := p.filter(depth + 1)
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != tokRParen {
			return nil, errAt(c.pos, "expected ')' to close '(' at position %d, found %s", t.pos, c.kind)
		}
		return n, nil
	case tokIdent:
		return p.comparison(t)
	}
	return nil, errAt(t.pos, "expected a field name or '(', found %s", t.kind)
}

func (p *parser) comparison(field token) (Node, error) {
	c := &Comparison{Pos: field.pos, Field: field.text}
	if t := p.peek(); t.kind == tokKey {
		p.next()
		c.Key, c.Keyed = t.text, true
	}
	op := p.next()
	if op.kind != tokOp {
		return nil, errAt(op.pos, "expected an operator (: !: ~: !~: <~: !<~: ~>: !~>:) after %q, found %s", field.text, op.kind)
	}
	c.Op = op.op
	for {
		v := p.next()
		if v.kind != tokString {
			return nil, errAt(v.pos, "expected a quoted value after %s, found %s", op.text, v.kind)
		}
		c.Values = append(c.Values, v.text)
		if p.peek().kind != tokComma {
			return c, nil
		}
		p.next()
	}
}
