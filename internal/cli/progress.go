package cli

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// progress shows transfers: live bars on a terminal, one line per file otherwise (logs and CI
// keep readable output).
type progress interface {
	// Bar starts a transfer of total bytes (0 when unknown) and returns its updater.
	Bar(label string, total int64) bar
	// Wait flushes the display after every bar finished.
	Wait()
}

type bar interface {
	Set(n int64)
	// Done ends the bar; err != nil marks a failed transfer.
	Done(err error)
}

func (s *session) newProgress() progress {
	if s.terminal {
		return &mpbProgress{p: mpb.New(mpb.WithOutput(s.out), mpb.WithRefreshRate(120*time.Millisecond), mpb.WithAutoRefresh())}
	}
	return &lineProgress{w: s.out}
}

type mpbProgress struct{ p *mpb.Progress }

func (m *mpbProgress) Bar(label string, total int64) bar {
	b := m.p.AddBar(total, mpb.BarWidth(30),
		mpb.PrependDecorators(decor.Name(label, decor.WCSyncSpaceR), decor.CountersKibiByte("% .1f / % .1f", decor.WCSyncSpace)),
		mpb.AppendDecorators(decor.OnComplete(decor.Percentage(decor.WCSyncSpace), "done")),
	)
	return &mpbBar{b: b, total: total}
}

func (m *mpbProgress) Wait() { m.p.Wait() }

type mpbBar struct {
	b     *mpb.Bar
	total int64
}

func (b *mpbBar) Set(n int64) {
	if b.total == 0 {
		b.b.SetTotal(n+1, false)
	}
	b.b.SetCurrent(n)
}

func (b *mpbBar) Done(err error) {
	if err != nil {
		b.b.Abort(false)
		return
	}
	b.b.SetTotal(-1, true)
}

// lineProgress prints the start and the end of each transfer.
type lineProgress struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lineProgress) Bar(label string, total int64) bar {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "INFO  %s (%s)...\n", label, humanBytes(total))
	return &lineBar{l: l, label: label, start: time.Now()}
}

func (l *lineProgress) Wait() {}

type lineBar struct {
	l     *lineProgress
	label string
	n     atomic.Int64 // set by the transfer's goroutine (an upload's body is read by net/http's)
	start time.Time
}

func (b *lineBar) Set(n int64) { b.n.Store(n) }

func (b *lineBar) Done(err error) {
	b.l.mu.Lock()
	defer b.l.mu.Unlock()
	if err != nil {
		fmt.Fprintf(b.l.w, "WARN  %s failed after %s\n", b.label, humanBytes(b.n.Load()))
		return
	}
	fmt.Fprintf(b.l.w, "INFO  %s: %s in %s\n", b.label, humanBytes(b.n.Load()), time.Since(b.start).Round(time.Millisecond))
}

// humanBytes formats a size with binary units.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
