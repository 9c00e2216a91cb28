// Host stand-in for CUDA's cuda_bf16.h, for the CPU emulator: the kernels only pack bf16 through inline PTX,
// which the emulator replaces (see emu.h), so nothing of this header is needed.
#pragma once
