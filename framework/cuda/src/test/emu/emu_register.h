// The emulator's kernel table: build.sh appends EMBER_EMU_REGISTER(name) for every extern "C" kernel of a .cu
// file to that file's host build, which makes a thunk that unpacks cuLaunchKernel-style parameters (an array of
// pointers to the values) into the kernel's own parameter types.
#pragma once

#include <map>
#include <string>
#include <type_traits>
#include <utility>

namespace ember_emu {

using Thunk = void (*)(void** args);

std::map<std::string, Thunk>& kernels();

struct Registrar {
    Registrar(const char* name, Thunk thunk);
};

template <typename... A, std::size_t... I>
void call(void (*kernel)(A...), void** args, std::index_sequence<I...>) {
    kernel(*static_cast<std::remove_cv_t<std::remove_reference_t<A>>*>(args[I])...);
}

template <typename... A>
void invoke(void (*kernel)(A...), void** args) {
    call(kernel, args, std::index_sequence_for<A...>{});
}

}  // namespace ember_emu

#define EMBER_EMU_REGISTER(name)                                                                               \
    static ember_emu::Registrar ember_emu_registrar_##name(#name, [](void** args) { ember_emu::invoke(&name, args); });
