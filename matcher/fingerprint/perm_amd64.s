#include "textflag.h"

// func permuteSSSE3(salt *[32]byte, xs []uint8)
//
// The round tables first, as permOf makes them: table i is the 8 bytes
// 8i..8i+7 of the salt cut into nibbles, low nibble first, which is the
// salt's low and high nibbles interleaved (PUNPCKLBW, PUNPCKHBW).
// Then per 16 positions x: l, r = x>>4, x&15; four rounds of
// l, r = r, l ^ T[i][r] (PSHUFB with T[i] as the table and r as the
// indices); then x = l<<4 | r. Nibbles are at most 15, so PSHUFB never
// sees its zeroing bit, and a word shift by 4 moves no set bit across
// bytes once the nibbles are masked.
TEXT ·permuteSSSE3(SB), NOSPLIT|NOFRAME, $0-32
	MOVQ salt+0(FP), AX
	MOVQ xs_base+8(FP), SI
	MOVQ xs_len+16(FP), CX
	MOVQ $0x0f0f0f0f0f0f0f0f, DX
	MOVQ DX, X8
	PUNPCKLQDQ X8, X8

	MOVOU 0(AX), X0
	MOVO  X0, X1
	PSRLW $4, X1
	PAND  X8, X1 // high nibbles of bytes 0..15
	PAND  X8, X0 // low nibbles
	MOVO  X0, X4
	PUNPCKLBW X1, X4 // table 0
	MOVO  X0, X5
	PUNPCKHBW X1, X5 // table 1
	MOVOU 16(AX), X0
	MOVO  X0, X1
	PSRLW $4, X1
	PAND  X8, X1
	PAND  X8, X0
	MOVO  X0, X6
	PUNPCKLBW X1, X6 // table 2
	MOVO  X0, X7
	PUNPCKHBW X1, X7 // table 3

loop:
	CMPQ CX, $16
	JB   done
	MOVOU (SI), X0
	MOVO  X0, X1
	PSRLW $4, X1
	PAND  X8, X1 // l
	PAND  X8, X0 // r
	MOVO   X4, X2
	PSHUFB X0, X2
	PXOR   X1, X2 // round 0: l = X0, r = X2
	MOVO   X5, X1
	PSHUFB X2, X1
	PXOR   X0, X1 // round 1: l = X2, r = X1
	MOVO   X6, X0
	PSHUFB X1, X0
	PXOR   X2, X0 // round 2: l = X1, r = X0
	MOVO   X7, X2
	PSHUFB X0, X2
	PXOR   X1, X2 // round 3: l = X0, r = X2
	PSLLW  $4, X0
	POR    X2, X0
	MOVOU  X0, (SI)
	ADDQ   $16, SI
	SUBQ   $16, CX
	JMP    loop

done:
	RET
