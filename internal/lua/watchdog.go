package lua

/*
#include "host.h"
*/
import "C"

import (
	"sync/atomic"
	"time"
	"unsafe"
)

// The watchdog: a goroutine per state that notices an outermost call running past its budget
// and only then arms an instruction hook (asynchronously, as the stand-alone interpreter does
// for Ctrl-C). Calls within budget run with no hook at all, so the guard costs nothing while
// scripts behave. The per-call cost is two plain release stores made in C (nf_call_begin and
// nf_call_end): enter and leave never block.
//
// If the hook has not stopped the call a grace period later (a long library call such as a
// huge string.rep or table.concat runs no instructions), the allocator starts refusing blocks
// of 4 KiB and more,
// which ends most such calls with an error that finish reports as a timeout. A library call
// that neither executes Lua instructions nor allocates (a pathological string.find pattern)
// cannot be interrupted.

type watchdog struct {
	stop chan struct{}
	wake chan struct{}
	done chan struct{}
	park atomic.Bool
}

func (v *vm) seqp() *uint64      { return (*uint64)(unsafe.Pointer(&v.x.seq)) }
func (v *vm) budgetp() *int64    { return (*int64)(unsafe.Pointer(&v.x.budget_ns)) }
func (v *vm) armedBudget() int64 { return atomic.LoadInt64(v.budgetp()) }

// enter starts a call. It arms the watchdog when budget > 0 and no outer call armed it, and
// then returns NF_ARMED for the C call, which marks the call running in x.seq (nf_call_begin);
// v.seq mirrors that counter. Nothing here is an atomic read-modify-write or a sequentially
// consistent store: those cost more than the rest of a short call.
func (v *vm) enter(budget time.Duration) C.int {
	if v.closed {
		panic("lua: call on a closed State")
	}
	v.depth++
	if budget <= 0 || v.armedDepth != 0 {
		return 0
	}
	v.armedDepth = v.depth
	if v.pausedFor.Load() != 0 {
		v.pausedFor.Store(0)
	}
	if budget != v.lastBudget {
		v.lastBudget = budget
		atomic.StoreInt64(v.budgetp(), int64(budget))
	}
	v.seq++ // odd: the value C stores as the call starts
	if v.wd == nil {
		v.startWatchdog()
	} else if v.wd.park.Load() {
		select {
		case v.wd.wake <- struct{}{}:
		default:
		}
	}
	return C.NF_ARMED
}

// leave ends a call started by enter. C already marked it ended and removed the hook of a
// call that timed out (nf_call_end).
func (v *vm) leave(armed C.int) {
	v.depth--
	if armed == 0 {
		return
	}
	v.armedDepth = 0
	v.seq++
}

// paused is how much of the running call's time went into Unbudgeted waits up to now.
func (v *vm) paused(now time.Time) time.Duration {
	d := v.pausedFor.Load()
	if at := v.pausedAt.Load(); at != 0 {
		d += now.UnixNano() - at
	}
	return time.Duration(d)
}

// Unbudgeted runs fn, a Go function's wait for something outside Lua (a network reply, a
// database query), without counting that time against the running call's budget: a script
// that makes a slow synchronous request is not the runaway script the watchdog is for. Only
// the owning goroutine may call it, from inside a Go function called by Lua; fn must not
// call back into Lua.
func (s *State) Unbudgeted(fn func()) {
	v := s.vm
	if v.armedDepth == 0 || v.pausedAt.Load() != 0 {
		fn() // no watched call, or already inside an unbudgeted wait
		return
	}
	v.pausedAt.Store(time.Now().UnixNano())
	defer func() {
		v.pausedFor.Add(time.Now().UnixNano() - v.pausedAt.Load())
		v.pausedAt.Store(0)
	}()
	fn()
}

func (v *vm) startWatchdog() {
	w := &watchdog{stop: make(chan struct{}), wake: make(chan struct{}, 1), done: make(chan struct{})}
	v.wd = w
	go v.watch(w)
}

func (v *vm) stopWatchdog() {
	if v.wd == nil {
		return
	}
	close(v.wd.stop)
	<-v.wd.done // the goroutine must not touch the state once it is freed
	v.wd = nil
}

// period is how often the watchdog looks at a call with the given budget: a twentieth of it,
// between 1 and 10 ms, so a call is interrupted at most that late.
func period(budget time.Duration) time.Duration {
	p := budget / 20
	if p < time.Millisecond {
		p = time.Millisecond
	}
	if p > 10*time.Millisecond {
		p = 10 * time.Millisecond
	}
	return p
}

// graceFor is how long after arming the hook the watchdog waits before refusing allocations.
func graceFor(budget time.Duration) time.Duration {
	g := budget / 10
	if g < 20*time.Millisecond {
		g = 20 * time.Millisecond // a busy machine can keep the Lua thread off a core that long
	}
	if g > 100*time.Millisecond {
		g = 100 * time.Millisecond
	}
	return g
}

func (v *vm) watch(w *watchdog) {
	defer close(w.done)
	x := v.x
	var (
		lastSeq     uint64
		start       time.Time
		fired, hard bool
		idle        int
	)
	timer := time.NewTimer(time.Millisecond)
	defer timer.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-timer.C:
		}
		budget := time.Duration(v.armedBudget())
		if atomic.LoadUint64(v.seqp())&1 == 0 {
			idle++
			if idle < 50 {
				timer.Reset(period(budget))
				continue
			}
			// Long idle: sleep until a call starts instead of polling. The call's start is a
			// plain store on the Lua thread, so a wake can be missed in a race of a few
			// nanoseconds; the sleep is bounded so such a call is still caught, one budget late
			// at worst.
			w.park.Store(true)
			if atomic.LoadUint64(v.seqp())&1 == 0 {
				nap := time.NewTimer(max(budget, 10*time.Millisecond))
				select {
				case <-w.stop:
					nap.Stop()
					return
				case <-w.wake:
				case <-nap.C:
				}
				nap.Stop()
			}
			w.park.Store(false)
			idle = 0
		}
		idle = 0
		seq := atomic.LoadUint64(v.seqp())
		if seq&1 == 0 { // the call ended meanwhile
			timer.Reset(period(budget))
			continue
		}
		now := time.Now()
		if seq != lastSeq {
			lastSeq, start, fired, hard = seq, now, false, false
		}
		elapsed := now.Sub(start) - v.paused(now)
		switch {
		case !fired && elapsed >= budget:
			C.nf_watchdog_fire(x, C.uint64_t(seq))
			fired = true
		case fired && !hard && elapsed >= budget+graceFor(budget):
			C.nf_watchdog_hard(x, C.uint64_t(seq))
			hard = true
		}
		next := period(budget)
		if !fired && budget-elapsed < next && budget > elapsed {
			next = budget - elapsed
		}
		timer.Reset(next)
	}
}
