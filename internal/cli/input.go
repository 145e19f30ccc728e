package cli

import (
	"bufio"
	"context"
	"io"
)

// input hands out stdin one line at a time without keeping the caller from noticing Ctrl-C:
// a read blocked on a terminal cannot be interrupted, so it runs in a goroutine and the caller
// waits for either the line or the cancellation. Lines are read only when asked for, so
// nothing is consumed ahead of the command that wants it.
type input struct {
	r       *bufio.Reader
	ask     chan struct{}
	lines   chan lineResult
	started bool
	pending bool
	eof     error
}

type lineResult struct {
	line string
	err  error
}

func newInput(r io.Reader) *input {
	return &input{r: bufio.NewReader(r), ask: make(chan struct{}), lines: make(chan lineResult, 1)}
}

// readLine returns the next line with its newline, or the read error at the end of input
// (with whatever partial line came before it), or ctx's error.
func (in *input) readLine(ctx context.Context) (string, error) {
	if in.eof != nil {
		return "", in.eof
	}
	if !in.started {
		in.started = true
		go func() {
			for range in.ask {
				line, err := in.r.ReadString('\n')
				in.lines <- lineResult{line, err}
				if err != nil {
					return
				}
			}
		}()
	}
	if !in.pending {
		in.pending = true
		in.ask <- struct{}{}
	}
	select {
	case res := <-in.lines:
		in.pending = false
		if res.err != nil {
			in.eof = res.err
			close(in.ask)
		}
		return res.line, res.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
