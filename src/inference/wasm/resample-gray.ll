; Gray resampler kernel for WebAssembly SIMD (see resample-wasm.ts). Hand-written LLVM IR, plain scalar loops:
; `opt -O3` vectorises the vertical pass (4 pixels per SIMD step, unrolled) and llc emits wasm32 + simd128.
; Rebuild: scripts/build-wasm.sh (needs LLVM's opt and llc; the .wasm it writes is committed).
;
; resample_gray(src, stride, inW, outW, outH, vs, vc, vw, vt, hs, hc, hw, ht, row, out, outStride, a, b)
;   src  : first pixel of the window (8-bit gray, row pitch `stride` bytes)
;   vs/vc/vw/vt : per output row, first input row, tap count, weights (f32, vt per row)
;   hs/hc/hw/ht : the same per output column
;   row  : inW floats of scratch; out: first output pixel, row pitch outStride floats
;   out[o][q] = a * sum_k hw[q][k] * (sum_j vw[o][j] * src[vs[o]+j][hs[q]+k]) + b
; Vertical pass first (each output row is a weighted sum of a few whole input rows), then horizontal.

target datalayout = "e-m:e-p:32:32-p10:8:8-p20:8:8-i64:64-n32:64-S128-ni:1:10:20"
target triple = "wasm32-unknown-unknown"

define void @resample_gray(i8* noalias nocapture readonly %src, i32 %stride, i32 %inW, i32 %outW, i32 %outH,
    i32* noalias nocapture readonly %vs, i32* noalias nocapture readonly %vc, float* noalias nocapture readonly %vw, i32 %vt,
    i32* noalias nocapture readonly %hs, i32* noalias nocapture readonly %hc, float* noalias nocapture readonly %hw, i32 %ht,
    float* noalias nocapture %row, float* noalias nocapture %out, i32 %outStride, float %a, float %b) #0 {
entry:
  %hasRows = icmp sgt i32 %outH, 0
  br i1 %hasRows, label %rowLoop, label %exit

; ---- for o in [0, outH)
rowLoop:
  %o = phi i32 [ 0, %entry ], [ %oNext, %rowEnd ]
  %vsP = getelementptr inbounds i32, i32* %vs, i32 %o
  %s = load i32, i32* %vsP, align 4
  %vcP = getelementptr inbounds i32, i32* %vc, i32 %o
  %n = load i32, i32* %vcP, align 4
  %wb = mul nsw i32 %o, %vt
  %sOff = mul nsw i32 %s, %stride
  %base = getelementptr inbounds i8, i8* %src, i32 %sOff
  %w0P = getelementptr inbounds float, float* %vw, i32 %wb
  %w0 = load float, float* %w0P, align 4
  %hasCols = icmp sgt i32 %inW, 0
  br i1 %hasCols, label %dispatch, label %tapsDone

; 4 or 5 taps (a 2–2.5× downscale, the usual case): every tap in one pass, row written once
dispatch:
  %pB = getelementptr inbounds i8, i8* %base, i32 %stride
  %pC = getelementptr inbounds i8, i8* %pB, i32 %stride
  %pD = getelementptr inbounds i8, i8* %pC, i32 %stride
  %pE = getelementptr inbounds i8, i8* %pD, i32 %stride
  %w1P = getelementptr inbounds float, float* %w0P, i32 1
  %w2P = getelementptr inbounds float, float* %w0P, i32 2
  %w3P = getelementptr inbounds float, float* %w0P, i32 3
  %w4P = getelementptr inbounds float, float* %w0P, i32 4
  switch i32 %n, label %firstTap [ i32 4, label %four
                                   i32 5, label %five ]

four:
  %w1f = load float, float* %w1P, align 4
  %w2f = load float, float* %w2P, align 4
  %w3f = load float, float* %w3P, align 4
  br label %fourLoop

fourLoop:
  %x4 = phi i32 [ 0, %four ], [ %x4Next, %fourLoop ]
  %a0p = getelementptr inbounds i8, i8* %base, i32 %x4
  %a1p = getelementptr inbounds i8, i8* %pB, i32 %x4
  %a2p = getelementptr inbounds i8, i8* %pC, i32 %x4
  %a3p = getelementptr inbounds i8, i8* %pD, i32 %x4
  %a0 = load i8, i8* %a0p, align 1
  %a1 = load i8, i8* %a1p, align 1
  %a2 = load i8, i8* %a2p, align 1
  %a3 = load i8, i8* %a3p, align 1
  %a0f = uitofp i8 %a0 to float
  %a1f = uitofp i8 %a1 to float
  %a2f = uitofp i8 %a2 to float
  %a3f = uitofp i8 %a3 to float
  %b0 = fmul float %a0f, %w0
  %b1 = fmul float %a1f, %w1f
  %b2 = fmul float %a2f, %w2f
  %b3 = fmul float %a3f, %w3f
  %c01 = fadd float %b0, %b1
  %c23 = fadd float %b2, %b3
  %c4 = fadd float %c01, %c23
  %r4 = getelementptr inbounds float, float* %row, i32 %x4
  store float %c4, float* %r4, align 4
  %x4Next = add nuw nsw i32 %x4, 1
  %x4Done = icmp eq i32 %x4Next, %inW
  br i1 %x4Done, label %tapsDone, label %fourLoop

five:
  %v1f5 = load float, float* %w1P, align 4
  %v2f5 = load float, float* %w2P, align 4
  %v3f5 = load float, float* %w3P, align 4
  %v4f5 = load float, float* %w4P, align 4
  br label %fiveLoop

fiveLoop:
  %x5 = phi i32 [ 0, %five ], [ %x5Next, %fiveLoop ]
  %e0p = getelementptr inbounds i8, i8* %base, i32 %x5
  %e1p = getelementptr inbounds i8, i8* %pB, i32 %x5
  %e2p = getelementptr inbounds i8, i8* %pC, i32 %x5
  %e3p = getelementptr inbounds i8, i8* %pD, i32 %x5
  %e4p = getelementptr inbounds i8, i8* %pE, i32 %x5
  %e0 = load i8, i8* %e0p, align 1
  %e1 = load i8, i8* %e1p, align 1
  %e2 = load i8, i8* %e2p, align 1
  %e3 = load i8, i8* %e3p, align 1
  %e4 = load i8, i8* %e4p, align 1
  %e0f = uitofp i8 %e0 to float
  %e1f = uitofp i8 %e1 to float
  %e2f = uitofp i8 %e2 to float
  %e3f = uitofp i8 %e3 to float
  %e4f = uitofp i8 %e4 to float
  %f0 = fmul float %e0f, %w0
  %f1 = fmul float %e1f, %v1f5
  %f2 = fmul float %e2f, %v2f5
  %f3 = fmul float %e3f, %v3f5
  %f4 = fmul float %e4f, %v4f5
  %g01 = fadd float %f0, %f1
  %g23 = fadd float %f2, %f3
  %g0123 = fadd float %g01, %g23
  %g5 = fadd float %g0123, %f4
  %r5 = getelementptr inbounds float, float* %row, i32 %x5
  store float %g5, float* %r5, align 4
  %x5Next = add nuw nsw i32 %x5, 1
  %x5Done = icmp eq i32 %x5Next, %inW
  br i1 %x5Done, label %tapsDone, label %fiveLoop

; row[x] = src[s][x] * w0
firstTap:
  %x0 = phi i32 [ 0, %dispatch ], [ %x0Next, %firstTap ]
  %p0 = getelementptr inbounds i8, i8* %base, i32 %x0
  %v0 = load i8, i8* %p0, align 1
  %v0i = zext i8 %v0 to i32
  %v0f = uitofp i32 %v0i to float
  %m0 = fmul float %v0f, %w0
  %r0 = getelementptr inbounds float, float* %row, i32 %x0
  store float %m0, float* %r0, align 4
  %x0Next = add nuw nsw i32 %x0, 1
  %x0Done = icmp eq i32 %x0Next, %inW
  br i1 %x0Done, label %tapLoopHead, label %firstTap

tapLoopHead:
  %moreTaps = icmp sgt i32 %n, 1
  br i1 %moreTaps, label %tapLoop, label %tapsDone

; for k in [1, n): row[x] += src[s + k][x] * w_k
tapLoop:
  %k = phi i32 [ 1, %tapLoopHead ], [ %kNext, %tapEnd ]
  %kOff = mul nsw i32 %k, %stride
  %pk = getelementptr inbounds i8, i8* %base, i32 %kOff
  %wkIdx = add nsw i32 %wb, %k
  %wkP = getelementptr inbounds float, float* %vw, i32 %wkIdx
  %wk = load float, float* %wkP, align 4
  br label %accLoop

accLoop:
  %x1 = phi i32 [ 0, %tapLoop ], [ %x1Next, %accLoop ]
  %p1 = getelementptr inbounds i8, i8* %pk, i32 %x1
  %v1 = load i8, i8* %p1, align 1
  %v1i = zext i8 %v1 to i32
  %v1f = uitofp i32 %v1i to float
  %r1 = getelementptr inbounds float, float* %row, i32 %x1
  %old = load float, float* %r1, align 4
  %m1 = fmul float %v1f, %wk
  %sum1 = fadd float %old, %m1
  store float %sum1, float* %r1, align 4
  %x1Next = add nuw nsw i32 %x1, 1
  %x1Done = icmp eq i32 %x1Next, %inW
  br i1 %x1Done, label %tapEnd, label %accLoop

tapEnd:
  %kNext = add nuw nsw i32 %k, 1
  %kDone = icmp eq i32 %kNext, %n
  br i1 %kDone, label %tapsDone, label %tapLoop

; horizontal: out[o][q] = a * sum_k row[hs[q] + k] * hw[q][k] + b
tapsDone:
  %dstOff = mul nsw i32 %o, %outStride
  %dst = getelementptr inbounds float, float* %out, i32 %dstOff
  %hasOut = icmp sgt i32 %outW, 0
  br i1 %hasOut, label %colLoop, label %rowEnd

colLoop:
  %q = phi i32 [ 0, %tapsDone ], [ %qNext, %colEnd ]
  %hsP = getelementptr inbounds i32, i32* %hs, i32 %q
  %hp = load i32, i32* %hsP, align 4
  %hcP = getelementptr inbounds i32, i32* %hc, i32 %q
  %m = load i32, i32* %hcP, align 4
  %hb = mul nsw i32 %q, %ht
  %h0P = getelementptr inbounds float, float* %hw, i32 %hb
  %q0P = getelementptr inbounds float, float* %row, i32 %hp
  switch i32 %m, label %hGeneric [ i32 4, label %h4
                                   i32 5, label %h5 ]

h4:
  %h4s = call float @dot4(float* %q0P, float* %h0P)
  br label %colEnd

h5:
  %h5s = call float @dot4(float* %q0P, float* %h0P)
  %q4P = getelementptr inbounds float, float* %q0P, i32 4
  %h4P = getelementptr inbounds float, float* %h0P, i32 4
  %q4 = load float, float* %q4P, align 4
  %h4w = load float, float* %h4P, align 4
  %t4 = fmul float %q4, %h4w
  %h5sum = fadd float %h5s, %t4
  br label %colEnd

hGeneric:
  %hasTaps = icmp sgt i32 %m, 0
  br i1 %hasTaps, label %hTap, label %colEnd

hTap:
  %j = phi i32 [ 0, %hGeneric ], [ %jNext, %hTap ]
  %acc = phi float [ 0.0, %hGeneric ], [ %accNext, %hTap ]
  %ri = add nsw i32 %hp, %j
  %rP = getelementptr inbounds float, float* %row, i32 %ri
  %rv = load float, float* %rP, align 4
  %hwi = add nsw i32 %hb, %j
  %hwP = getelementptr inbounds float, float* %hw, i32 %hwi
  %hwv = load float, float* %hwP, align 4
  %prod = fmul float %rv, %hwv
  %accNext = fadd float %acc, %prod
  %jNext = add nuw nsw i32 %j, 1
  %jDone = icmp eq i32 %jNext, %m
  br i1 %jDone, label %colEnd, label %hTap

colEnd:
  %accOut = phi float [ 0.0, %hGeneric ], [ %accNext, %hTap ], [ %h4s, %h4 ], [ %h5sum, %h5 ]
  %scaled = fmul float %accOut, %a
  %val = fadd float %scaled, %b
  %oP = getelementptr inbounds float, float* %dst, i32 %q
  store float %val, float* %oP, align 4
  %qNext = add nuw nsw i32 %q, 1
  %qDone = icmp eq i32 %qNext, %outW
  br i1 %qDone, label %rowEnd, label %colLoop

rowEnd:
  %oNext = add nuw nsw i32 %o, 1
  %oDone = icmp eq i32 %oNext, %outH
  br i1 %oDone, label %exit, label %rowLoop

exit:
  ret void
}

; sum of four products p[i] * w[i] (kept separate so both straight-line cases share it; inlined by opt)
define internal float @dot4(float* nocapture readonly %p, float* nocapture readonly %w) #1 {
  %p1 = getelementptr inbounds float, float* %p, i32 1
  %p2 = getelementptr inbounds float, float* %p, i32 2
  %p3 = getelementptr inbounds float, float* %p, i32 3
  %w1 = getelementptr inbounds float, float* %w, i32 1
  %w2 = getelementptr inbounds float, float* %w, i32 2
  %w3 = getelementptr inbounds float, float* %w, i32 3
  %a0 = load float, float* %p, align 4
  %a1 = load float, float* %p1, align 4
  %a2 = load float, float* %p2, align 4
  %a3 = load float, float* %p3, align 4
  %b0 = load float, float* %w, align 4
  %b1 = load float, float* %w1, align 4
  %b2 = load float, float* %w2, align 4
  %b3 = load float, float* %w3, align 4
  %c0 = fmul float %a0, %b0
  %c1 = fmul float %a1, %b1
  %c2 = fmul float %a2, %b2
  %c3 = fmul float %a3, %b3
  %d01 = fadd float %c0, %c1
  %d23 = fadd float %c2, %c3
  %s = fadd float %d01, %d23
  ret float %s
}

attributes #1 = { nounwind alwaysinline "target-features"="+simd128" }
attributes #0 = { nounwind "wasm-export-name"="resample_gray" "target-features"="+simd128" }
