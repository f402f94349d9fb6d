package oidcop

import (
	"bytes"
	"encoding/json"
)

// claims is a JWT claim set that keeps its members in insertion order, so
// tokens carry Okta's member order and faults can add, change or drop any
// member.
type claims struct {
	keys []string
	vals map[string]any
}

func newClaims() *claims { return &claims{vals: map[string]any{}} }

func (c *claims) set(k string, v any) *claims {
	if _, ok := c.vals[k]; !ok {
		c.keys = append(c.keys, k)
	}
	c.vals[k] = v
	return c
}

func (c *claims) del(k string) {
	if _, ok := c.vals[k]; !ok {
		return
	}
	delete(c.vals, k)
	for i, key := range c.keys {
		if key == k {
			c.keys = append(c.keys[:i], c.keys[i+1:]...)
			break
		}
	}
}

func (c *claims) str(k string) string {
	s, _ := c.vals[k].(string)
	return s
}

func (c *claims) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range c.keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		vb, err := json.Marshal(c.vals[k])
		if err != nil {
			return nil, err
		}
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(vb)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}
