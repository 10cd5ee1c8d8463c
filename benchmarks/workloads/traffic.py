"""The memory traffic a GPU run of a step would have, estimated from the CPU compile's HLO.

The CPU compiler widens half precision to f32 and reads whole operands it only slices, so the
bytes its kernels read and write (hlo.kernels) overstate what a GPU moves. This module re-counts
them:

- Half precision. In a bfloat16/float16 step the CPU computes in f32 from widened copies; a GPU
  reads and writes activations in the narrow type. Every f32 array a matmul reads or writes, and
  every other f32 array not shaped like one of the step's f32 parameters (master weights, optimizer
  state and their gradients, which stay f32 under mixed precision), counts 2 bytes an element.
- Slices. An operand that a kernel reads only through slices is counted at the slices' size.
- Fusion boundaries, two ways. `fuse=False` (what profiles store) keeps the CPU plan's kernels: its
  loop fusions join elementwise chains about as far as the frameworks the published runs use
  (PyTorch eager with fused optimizers and normalisations, TensorFlow graphs), which launch one
  kernel per operation or fused block. `fuse=True` joins every chain of non-matrix kernels between
  two matmuls into one region counted only at its boundaries: the lower bound an XLA GPU compile
  approaches. Fitted on the published rows, the fused count needs a bandwidth efficiency of about
  0.33 and predicts the held-out publishers worse (scripts/validate_predictions.py): their
  frameworks do not fuse that far.

Pure Python, like hlo.py.
"""

from __future__ import annotations

import math
import re

from .hlo import (
    _BYTES,
    _NOT_KERNELS,
    Instruction,
    Kernel,
    _attribute,
    arrays,
    classify,
    parse,
)

_SLICES = {"slice", "dynamic-slice", "gather"}
_ALIASES = {"bitcast", "get-tuple-element"}  # a view of another value, not a kernel (a GTE keeps its shape)


def _size(shape: str, narrow: bool, keep: frozenset[tuple[int, ...]] = frozenset()) -> float:
    """Bytes of `shape`; with `narrow`, f32 arrays count 2 bytes an element unless shaped like one in `keep`."""
    return sum((2 if narrow and kind == "f32" and tuple(sorted(dims)) not in keep else _BYTES.get(kind, 4))
               * math.prod(dims) for kind, dims in arrays(shape) if kind != "token")


def _operand_reads(inst: Instruction, computations: dict[str, list[Instruction]]) -> dict[int, str]:
    """For a fusion, the operands it reads only through slices: operand index -> the slices' shapes."""
    if inst.opcode != "fusion":
        return {}
    called = re.findall(r"calls=%([\w.\-]+)", inst.attributes)
    body = computations.get(called[0], []) if called else []
    params = [i for i in body if i.opcode == "parameter"]
    found: dict[int, str] = {}
    for position, param in enumerate(params):
        number = re.match(r"param_(\d+)", param.name)
        index = int(number.group(1)) if number else position
        users = [i for i in body if param.name in i.operands]
        if users and all(u.opcode in _SLICES and u.operands[0] == param.name for u in users):
            found[index] = " ".join(u.shape for u in users)
    return found


class _Regions:
    def __init__(self, names: list[str]) -> None:
        self.parent = {n: n for n in names}

    def find(self, name: str) -> str:
        while self.parent[name] != name:
            self.parent[name] = self.parent[self.parent[name]]
            name = self.parent[name]
        return name

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def gpu_kernels(text: str, narrow: bool = False, fuse: bool = True, batch: int = 0) -> list[Kernel]:
    """The step's kernels as a GPU plan would launch them, with their estimated traffic; `narrow` for
    a half-precision step. Matmul and convolution kernels keep their FLOPs; every other kernel is
    folded into a region (kind "memory", or "convert" when it only converts element types)."""
    computations, entry = parse(text)
    body = computations.get(entry, [])
    by_name = {inst.name: inst for inst in body}
    shapes = {inst.name: inst.shape for inst in body}
    elements: dict[str, list[str]] = {}  # a tuple-shaped kernel's elements, as read by get-tuple-element
    for inst in body:
        if inst.opcode == "get-tuple-element" and inst.operands:
            elements.setdefault(inst.operands[0], []).append(inst.name)

    def owner(name: str) -> str:
        """The kernel that produces value `name` ("" for parameters and constants)."""
        seen = 0
        while name in by_name and by_name[name].opcode in _ALIASES and by_name[name].operands and seen < 64:
            name, seen = by_name[name].operands[0], seen + 1
        inst = by_name.get(name)
        return name if inst is not None and inst.opcode not in _NOT_KERNELS else ""

    def value(name: str) -> str:
        """The buffer `name` views: bitcasts resolve to their source; a tuple element stays itself."""
        seen = 0
        while name in by_name and by_name[name].opcode == "bitcast" and by_name[name].operands and seen < 64:
            name, seen = by_name[name].operands[0], seen + 1
        return name

    # What stays f32 in a half-precision step on a GPU: arrays shaped like the step's f32 parameters
    # that are not the batch (master weights, optimizer state, their gradients and updates).
    weights = frozenset(tuple(sorted(dims)) for inst in body if inst.opcode == "parameter"
                        for kind, dims in arrays(inst.shape) if kind == "f32" and dims and dims[0] != batch)
    launched = [inst for inst in body if inst.opcode not in _NOT_KERNELS]
    matrix: dict[str, tuple[str, float]] = {}
    convert_only: set[str] = set()
    for inst in launched:
        kind, flops = classify(inst, computations, shapes)
        if kind in ("dot", "conv"):
            matrix[inst.name] = (kind, flops)
        elif kind == "convert":
            convert_only.add(inst.name)
    regions = _Regions([i.name for i in launched if i.name not in matrix])
    for inst in launched:
        if inst.name in matrix:
            continue
        for operand in inst.operands:
            producer = owner(operand)
            if fuse and producer and producer not in matrix:
                regions.join(inst.name, producer)
    outputs = {value(n) for inst in body if inst.opcode == "tuple" and inst is body[-1] for n in inst.operands}
    if body and body[-1].opcode != "tuple":
        outputs.add(value(body[-1].name))
    consumers: dict[str, set[str]] = {}
    for inst in launched:
        for operand in inst.operands:
            consumers.setdefault(value(operand), set()).add(inst.name)

    def region_of(name: str) -> str:
        return "" if not name or name in matrix else regions.find(name)

    # Bytes of each region: arrays entering it (once, with the operand read for each), arrays leaving it.
    reads: dict[str, dict[str, float]] = {}
    sources: dict[str, dict[str, str]] = {}
    writes: dict[str, float] = {}
    for inst in launched:
        region = region_of(inst.name)
        if not region:
            continue
        sliced = _operand_reads(inst, computations)
        for index, operand in enumerate(inst.operands):
            source = owner(operand)
            if source and region_of(source) == region:
                continue
            key = value(operand)
            shape = by_name[key].shape if key in by_name else ""
            keep = frozenset() if source in matrix else weights
            full = _size(shape, narrow, keep)
            wide = full == _size(shape, False)  # a slice of an array that keeps its width keeps it too
            got = min(full, _size(sliced[index], narrow and not wide, keep)) if index in sliced else full
            table = reads.setdefault(region, {})
            table[key] = min(full, table.get(key, 0.0) + got)
            sources.setdefault(region, {})[key] = operand
        for key in (elements.get(inst.name, []) if inst.shape.startswith("(") else [inst.name]):
            users = consumers.get(key, set()) | ({"<out>"} if key in outputs else set())
            outside = [u for u in users if u == "<out>" or region_of(u) != region]
            if outside:
                to_matrix_only = all(u in matrix for u in outside)
                writes[region] = writes.get(region, 0.0) + _size(by_name[key].shape, narrow,
                                                                 frozenset() if to_matrix_only else weights)
    def cpu_bytes(inst: Instruction) -> float:
        return _size(inst.shape, False) + sum(_size(shapes.get(name, ""), False) for name in inst.operands)

    found: list[Kernel] = []
    emitted: set[str] = set()
    members: dict[str, list[Instruction]] = {}
    for inst in launched:
        if inst.name not in matrix:
            members.setdefault(region_of(inst.name), []).append(inst)
    launch_of: dict[str, int] = {}  # instruction -> index in `found` of the kernel that runs it
    first_read: set[str] = set()  # values some kernel has read since they were written

    def written_by(operand: str) -> str:
        """The value a GPU reads for `operand`, a kernel's output: through a convert, the convert's input
        (a GPU launches no convert); "" for a parameter or constant."""
        for _ in range(64):
            index = launch_of.get(owner(operand), -1)
            if index < 0:
                return ""
            if found[index].kind != "convert":
                return value(operand)
            operands = by_name[owner(operand)].operands
            operand = operands[0] if operands else ""
        return ""

    def fresh(read: list[tuple[str, float]]) -> tuple[float, ...]:
        """Of (operand, bytes) reads, those of values no kernel has read since a kernel wrote them."""
        sizes = []
        for operand, got in read:
            produced = written_by(operand)
            if produced and produced not in first_read:
                first_read.add(produced)
                sizes.append(got)
        return tuple(sizes)

    for inst in launched:
        signature = ":".join([inst.opcode, _attribute(inst.attributes, "kind"),
                              *(f"{kind}{len(dims)}" for kind, dims in arrays(inst.shape))])
        if inst.name in matrix:
            kind, flops = matrix[inst.name]
            sliced = _operand_reads(inst, computations)
            moved = _size(inst.shape, narrow)
            read = []
            for index, operand in enumerate(inst.operands):
                shape = by_name[value(operand)].shape if value(operand) in by_name else ""
                got = min(_size(shape, narrow), _size(sliced[index], narrow)) if index in sliced else _size(
                    shape, narrow)
                moved += got
                read.append((operand, got))
            launch_of[inst.name] = len(found)
            found.append(Kernel(kind, flops, moved, signature, cpu_bytes(inst), fresh(read)))
            continue
        region = region_of(inst.name)
        if region in emitted:
            continue
        emitted.add(region)
        group = members[region]
        kind = "convert" if all(m.name in convert_only for m in group) else "memory"
        moved = sum(reads.get(region, {}).values()) + writes.get(region, 0.0)
        read = [(sources[region][key], got) for key, got in reads.get(region, {}).items()]
        for member in group:
            launch_of[member.name] = len(found)
        found.append(Kernel(kind, 0.0, moved, f"region{min(len(group), 9)}:{signature}",
                            sum(cpu_bytes(m) for m in group), () if kind == "convert" else fresh(read)))
    return found


