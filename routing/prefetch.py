"""A cache prefetch hint for numba kernels (``llvm.prefetch``): no effect on any result.

The contraction-hierarchy search waits mostly on memory: the block of arcs of the next
node it settles is in a different part of the hierarchy each time. Asking for it while
the current node is relaxed hides part of that wait. A prefetch never faults and never
changes a value, so the search makes exactly the same steps with or without it.
"""
from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic


@intrinsic
def prefetch(typingctx, array, index):
    """Hint that ``array[index]`` will be read soon (kept in all cache levels); ``array``
    may be a pointer from :func:`routing.unchecked.raw`."""
    sig = types.void(array, index)

    def codegen(context, builder, signature, args):
        array_type = signature.args[0]
        if isinstance(array_type, types.CPointer):        # routing.unchecked.raw's
            ptr = builder.gep(args[0], [args[1]])
        else:
            ary = context.make_array(array_type)(context, builder, args[0])
            ptr = cgutils.get_item_pointer(context, builder, array_type, ary, [args[1]],
                                           wraparound=False)
        i32 = ir.IntType(32)
        ptr = builder.bitcast(ptr, ir.IntType(8).as_pointer())     # one declaration for all
        fnty = ir.FunctionType(ir.VoidType(), [ptr.type, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0")
        # read (0), high temporal locality (3), data cache (1)
        builder.call(fn, [ptr, ir.Constant(i32, 0), ir.Constant(i32, 3), ir.Constant(i32, 1)])
        return context.get_dummy_value()

    return sig, codegen
