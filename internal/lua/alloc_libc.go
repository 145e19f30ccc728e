//go:build !mimalloc

package lua

// Allocator names the allocator behind Lua states' memory: "mimalloc" or "libc".
const Allocator = "libc"
