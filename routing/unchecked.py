"""Raw pointers for the innermost loops of numba kernels: no reference counting.

numba inlines a helper marked ``inline="always"`` by binding its array arguments to
new variables, and every such binding of an array costs an atomic reference-count
increment and decrement that LLVM cannot remove when the call sits in a loop with
branches. The contraction-hierarchy search calls its helpers (heap, stall test,
visited bit) once or more per arc: those calls were a fifth of its time. A pointer is
a plain value, so passing it costs nothing.

A pointer is not bounds checked, so this is only for arrays whose indices the kernel
derives from its own data, and only behind a test: with ``NUMBA_BOUNDSCHECK=1`` (as
``.ci/run`` runs the kernel tests, with a throw-away cache) :func:`raw` returns the
array itself, and the same code indexes it with every check.
"""
from __future__ import annotations

from numba import typeof, types
from numba.core import config
from numba.extending import intrinsic, overload


@intrinsic
def data_pointer(typingctx, array):
    """The address of ``array``'s first element, typed (``CPointer(dtype)``)."""
    sig = types.CPointer(array.dtype)(array)

    def codegen(context, builder, signature, args):
        return context.make_array(signature.args[0])(context, builder, args[0]).data

    return sig, codegen


def raw(array):
    """``array`` for unchecked indexing in a compiled kernel: a pointer to its data, or
    the array itself in a bounds-checked build. The array must outlive the pointer
    (a kernel's argument, or a view of one)."""
    raise TypeError("raw() is for numba kernels only")


@overload(raw, inline="always")
def _raw(array):
    if not isinstance(array, types.Array) or array.layout != "C":
        return None
    if config.BOUNDSCHECK:
        return lambda array: array
    return lambda array: data_pointer(array)


def compiled_for(dispatcher, *args):
    """``dispatcher``'s compiled function for exactly the types of ``args``, to be called
    without type dispatch.

    A call through a numba dispatcher first types every argument (an array's type is
    its dtype, dimensions, layout and flags) to pick the compiled version: about 0.2 µs
    an array, a tenth of a bidirectional search. A query method whose arrays never
    change type (the hierarchy's and its pooled buffers) takes the version for them
    once. Its callers must pass arguments of the same types: the function does not
    check them. Falls back to the dispatcher where numba keeps no such entry point.
    """
    signature = tuple(typeof(a) for a in args)
    dispatcher.compile(signature)
    entry = getattr(dispatcher.overloads.get(signature), "entry_point", None)
    return entry if callable(entry) else dispatcher


def checked_nodes(n: int, s, t) -> tuple[int, int]:
    """``s`` and ``t`` as Python ints, checked against ``n`` nodes: the node-to-node
    kernels index with them unchecked.

    Raises
    ------
    IndexError
        When one is not a node of the graph.
    """
    s, t = int(s), int(t)
    if not (0 <= s < n and 0 <= t < n):
        raise IndexError(f"node {s if not 0 <= s < n else t} is not in the graph")
    return s, t
