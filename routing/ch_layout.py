"""The packed layout of a contraction hierarchy: one int32 array a query reads.

A query settles ~80 nodes and relaxes ~500 arcs; what it costs is mostly the memory
it reads (a different part of the hierarchy for every pair) and the call itself, so
the whole hierarchy is one array (:func:`pack_hierarchy`), passed as one argument: a
header of section offsets, two words a node (where its block starts, where its
downward arcs start), then one block per node (numbered by falling rank, so the upper
nodes every search visits sit together): the number of its first arc, the heads of its
upward then downward arcs, then their float64 costs. A search that settles a node
reads the arcs it relaxes and those of the other direction it stalls on from the same
12 bytes an arc. Hierarchy edges are numbered in that arc order (node by node, up then
down: :func:`arc_order`), so an arc's edge is its number: a path search records it
from the word beside the heads. The sections after the blocks (edges' ends, children
and original arcs; the node numbering) are read only to unpack a path.

The kernels that read it are in :mod:`routing.ch_packed`.
"""
from __future__ import annotations

import numpy as np

#: Sections of a packed hierarchy after its header, in order.
SECTIONS = ("ptr", "arcs", "e_from", "e_to", "e_child1", "e_child2", "e_arc", "perm", "inv")
#: Words of the header: the number of nodes, then where each section starts, then where
#: each ends (word ``1 + k`` and word ``1 + len(SECTIONS) + k`` for section ``k``).
HEADER = 32
#: Where the section ends are listed: word ``ENDS + k`` ends section ``k``.
ENDS = 1 + len(SECTIONS)
#: The last header word: which layout this is (a hierarchy cached by another version of
#: this module is rebuilt, never read wrongly: see :func:`check_layout`).
LAYOUT = 4


def pack_hierarchy(n: int, up: tuple, dn: tuple, edges: dict, perm, inv) -> np.ndarray:
    """The packed int32 array the queries of :mod:`routing.ch_packed` read.

    Parameters
    ----------
    n : int
        Number of nodes.
    up, dn : tuple
        (pointers, heads, costs, hierarchy edge ids) of the upward and downward CSR, on
        nodes numbered by rank; edges numbered in arc order (node by node, its upward
        then its downward arcs: :func:`arc_order`).
    edges : dict
        ``e_from``, ``e_to``, ``e_child1``, ``e_child2``, ``e_arc`` of the hierarchy edges.
    perm, inv : ndarray
        Graph node -> local node, and back.

    Raises
    ------
    OverflowError
        When the hierarchy has more than 2**31 words (a graph far larger than this
        layout is meant for).
    ValueError
        When the edges are not numbered in arc order.
    """
    up_deg, dn_deg = np.diff(up[0]), np.diff(dn[0])
    k = up_deg + dn_deg
    first = np.zeros(n + 1, np.int64)          # where each node's block starts (words)
    np.cumsum(_block_words(k), out=first[1:])
    arc0 = np.zeros(n + 1, np.int64)           # each node's first arc (= hierarchy edge)
    np.cumsum(k, out=arc0[1:])
    sizes = {"ptr": 2 * n + 1, "arcs": int(first[-1]),
             **{name: len(edges[name]) for name in SECTIONS[2:7]}, "perm": n, "inv": n}
    offsets, at = [], HEADER
    for name in SECTIONS:
        at += -at % 16                         # sections start on a 64-byte line
        offsets.append(at)
        at += sizes[name]
    at += -at % 16                             # an even length: a float64 view
    if at >= 2 ** 31:
        raise OverflowError(f"a hierarchy of {at} words does not fit the int32 layout")
    packed = np.zeros(at, np.int32)
    packed[0], packed[HEADER - 1] = n, LAYOUT
    packed[1:ENDS] = offsets
    packed[ENDS:ENDS + len(SECTIONS)] = [offsets[k] + sizes[name]
                                           for k, name in enumerate(SECTIONS)]
    base = offsets[SECTIONS.index("arcs")]
    ptr = np.empty(2 * n + 1, np.int64)        # block start, first downward head
    ptr[0::2] = base + first
    ptr[1:-1:2] = base + first[:-1] + 1 + up_deg
    packed[offsets[0]:offsets[0] + 2 * n + 1] = ptr
    packed[base + first[:-1]] = arc0[:-1]
    floats = packed.view(np.float64)
    for (cptr, head, cost, edge), skip in ((up, np.zeros(n, np.int64)), (dn, up_deg)):
        owner = np.repeat(np.arange(n), np.diff(cptr))
        position = skip[owner] + np.arange(len(head)) - cptr[:-1][owner]   # in the block
        if not np.array_equal(edge, arc0[owner] + position):
            raise ValueError("hierarchy edges are not numbered in arc order")
        kk = k[owner]
        packed[base + first[owner] + 1 + position] = head
        floats[((base + first[owner] + 1 + kk + ((kk + 1) & 1)) >> 1) + position] = cost
    for name, values in (*((k, edges[k]) for k in SECTIONS[2:7]), ("perm", perm), ("inv", inv)):
        lo = offsets[SECTIONS.index(name)]
        packed[lo:lo + len(values)] = values
    return packed


def arc_order(owner, up) -> np.ndarray:
    """The hierarchy edges in the order :func:`pack_hierarchy` numbers them: by owner (the
    lower, local node: the one whose search relaxes the edge), upward before downward, then
    by their present number (the order their node's searches relax them in).

    ``owner``: each edge's owner; ``up``: whether it is an upward edge of its owner.
    """
    return np.lexsort((np.arange(len(owner)), ~np.asarray(up, bool), owner))


def _block_words(k):
    """Words of the block of a node with ``k`` arcs: its first arc's number, heads,
    padding to a float64, costs (even: every block starts on a float64)."""
    return 1 + 3 * k + ((k + 1) & 1)


def check_layout(packed: np.ndarray, n: int) -> None:
    """Raise ValueError unless ``packed`` is a hierarchy of ``n`` nodes in this layout."""
    if len(packed) < HEADER or packed[HEADER - 1] != LAYOUT or packed[0] != n:
        raise ValueError("not a packed hierarchy of this layout and graph")


def section(packed: np.ndarray, name: str) -> np.ndarray:
    """The view of section ``name`` (:data:`SECTIONS`) of a packed hierarchy."""
    k = SECTIONS.index(name)
    return packed[packed[1 + k]:packed[ENDS + k]]
