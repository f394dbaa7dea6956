#include "textflag.h"

// Constants, loaded with MOVOU (no alignment needed).
// evenOdd gathers the even bytes of 16 into the low 8 and the odd ones
// into the high 8.
DATA evenOdd<>+0(SB)/8, $0x0e0c0a0806040200
DATA evenOdd<>+8(SB)/8, $0x0f0d0b0907050301
GLOBL evenOdd<>(SB), RODATA|NOPTR, $16
// iota is the bytes 0..15.
DATA iota<>+0(SB)/8, $0x0706050403020100
DATA iota<>+8(SB)/8, $0x0f0e0d0c0b0a0908
GLOBL iota<>(SB), RODATA|NOPTR, $16
// bitLo[r] is 1<<r for r < 8, else 0; bitHi[r] is 1<<(r-8) for r >= 8.
DATA bitLo<>+0(SB)/8, $0x8040201008040201
DATA bitLo<>+8(SB)/8, $0x0000000000000000
GLOBL bitLo<>(SB), RODATA|NOPTR, $16
DATA bitHi<>+0(SB)/8, $0x0000000000000000
DATA bitHi<>+8(SB)/8, $0x8040201008040201
GLOBL bitHi<>(SB), RODATA|NOPTR, $16

// NIBBLES splits the 16 bytes at src into their low nibbles (lo) and high
// nibbles (hi); mask holds 0x0f in every byte.
#define NIBBLES(src, mask, lo, hi) \
	MOVOU src, lo; MOVO lo, hi; PSRLW $4, hi; PAND mask, hi; PAND mask, lo

// TABLES makes two round tables from the nibbles of 16 salt bytes: the
// low and high nibbles interleaved, low first.
#define TABLES(lo, hi, t0, t1) \
	MOVO lo, t0; PUNPCKLBW hi, t0; MOVO lo, t1; PUNPCKHBW hi, t1

// UNROUND is one inverse round, (l, r) -> (r ^ T[l], l): out = r ^ T[l];
// the new r is l's register.
#define UNROUND(t, l, r, out) \
	MOVO t, out; PSHUFB l, out; PXOR r, out

// func permuteSetSSSE3(salt *[32]byte, u *[4]uint64, f *NameFilter)
//
// The round tables first, as permOf makes them: table i is bytes
// 8i..8i+7 of the salt cut into nibbles, low nibble first: the salt's low
// and high nibbles interleaved (PUNPCKLBW, PUNPCKHBW). A forward round is
// (l, r) -> (r, l ^ T[r]); its inverse is (l, r) -> (r ^ T[l], l).
//
// Position x = 16l + r of u is bit r of the 16-bit row l: bit r of byte
// 2l (r < 8) or bit r-8 of byte 2l+1. The rows' low bytes (LO) and high
// bytes (HI) are two 16-entry tables indexed by l.
//
// Output positions y = 16k + j, j = 0..15, k = 0..15: l = k in every
// lane, r = j. After the four inverse rounds (3 to 0), lane j holds bit
// y's source x = (l, r); the bit is (LO[l] & bitLo[r]) | (HI[l] & bitHi[r])
// != 0, and PMOVMSKB packs the 16 lanes into bytes 2k and 2k+1 of f.
//
// Registers: X4-X7 round tables, X8 LO, X9 HI, X10 bitLo, X11 bitHi,
// X12 iota (r), X13 k in every byte, X14 ones, X0-X3 and X15 scratch.
TEXT ·permuteSetSSSE3(SB), NOSPLIT|NOFRAME, $0-24
	MOVQ salt+0(FP), AX
	MOVQ u+8(FP), BX
	MOVQ f+16(FP), DI

	MOVQ $0x0f0f0f0f0f0f0f0f, DX
	MOVQ DX, X15
	PUNPCKLQDQ X15, X15

	NIBBLES(0(AX), X15, X0, X1)
	TABLES(X0, X1, X4, X5) // tables 0 and 1
	NIBBLES(16(AX), X15, X0, X1)
	TABLES(X0, X1, X6, X7) // tables 2 and 3

	MOVOU evenOdd<>(SB), X2
	MOVOU 0(BX), X0 // rows 0..7
	PSHUFB X2, X0
	MOVOU 16(BX), X1 // rows 8..15
	PSHUFB X2, X1
	MOVO  X0, X8
	PUNPCKLQDQ X1, X8 // LO: low bytes of rows 0..15
	MOVO  X0, X9
	PUNPCKHQDQ X1, X9 // HI: high bytes

	MOVOU bitLo<>(SB), X10
	MOVOU bitHi<>(SB), X11
	MOVOU iota<>(SB), X12
	PXOR  X13, X13 // k = 0
	MOVQ  $0x0101010101010101, DX
	MOVQ  DX, X14
	PUNPCKLQDQ X14, X14
	MOVQ  $16, CX

loop:
	MOVO X13, X0 // l
	MOVO X12, X1 // r
	UNROUND(X7, X0, X1, X2) // round 3: l = X2, r = X0
	UNROUND(X6, X2, X0, X1) // round 2: l = X1, r = X2
	UNROUND(X5, X1, X2, X0) // round 1: l = X0, r = X1
	UNROUND(X4, X0, X1, X2) // round 0: l = X2, r = X0
	// the bit
	MOVO   X8, X1
	PSHUFB X2, X1 // LO[l]
	MOVO   X9, X3
	PSHUFB X2, X3 // HI[l]
	MOVO   X10, X15
	PSHUFB X0, X15 // bitLo[r]
	PAND   X15, X1
	MOVO   X11, X15
	PSHUFB X0, X15 // bitHi[r]
	PAND   X15, X3
	POR    X3, X1
	PXOR   X15, X15
	PCMPEQB X15, X1 // 0xff where the bit is clear
	PMOVMSKB X1, AX
	NOTL   AX
	MOVW   AX, (DI)
	ADDQ   $2, DI
	PADDB  X14, X13
	DECQ   CX
	JNZ    loop
	RET
