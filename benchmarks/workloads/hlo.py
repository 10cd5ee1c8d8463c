"""Per-kernel work of a compiled XLA program, read from its optimised HLO text.

Why the text and not `cost_analysis()`: the cost analysis sums the whole program, and a step's
time is not total FLOPs over peak plus total bytes over bandwidth — a matmul waits on compute
while the elementwise fusion after it waits on memory. Each top-level instruction of the entry
computation is one kernel launch (a fusion, a library call, a dot, a convolution, a copy); its
bytes are what it reads and writes (operands and result), its FLOPs are those of the dots and
convolutions it contains. Elementwise arithmetic is left out of the FLOPs: it never sets the pace
of a kernel on hardware whose bandwidth is this far below its arithmetic rate.

Pure Python: the text is parsed with regular expressions, so the module is testable without JAX.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_BYTES = {"pred": 1, "s8": 1, "u8": 1, "f8e4m3fn": 1, "f8e5m2": 1, "s16": 2, "u16": 2, "f16": 2, "bf16": 2,
          "s32": 4, "u32": 4, "f32": 4, "s64": 8, "u64": 8, "f64": 8, "c64": 8, "c128": 16}
_ARRAY = re.compile(r"([a-z][a-z0-9]*)\[([0-9,]*)\]")
_INSTRUCTION = re.compile(r"^\s*(?:ROOT\s+)?%([\w.\-]+)\s*=\s*(.*?)\s([a-z][a-z0-9\-]*)\((.*)$")
_HEADER = re.compile(r"^(ENTRY\s+)?%([\w.\-]+)\s*\(.*\{\s*$")
# A fusion made only of these does nothing but change the element type: the CPU compiler emits
# them around every bf16/f16 operation it widens to f32, where a GPU computes in the narrow type.
_CONVERSION_ONLY = {"parameter", "convert", "bitcast", "reshape", "broadcast", "tuple", "get-tuple-element"}
_NOT_KERNELS = {"parameter", "constant", "tuple", "get-tuple-element", "bitcast", "after-all",
                "partition-id", "replica-id", "opt-barrier", "add-dependency"}


@dataclass(frozen=True)
class Instruction:
    name: str
    shape: str
    opcode: str
    operands: tuple[str, ...]
    attributes: str


@dataclass(frozen=True)
class Kernel:
    """One launch: `kind` is "dot", "conv" (its FLOPs set by a matrix unit), "memory", or
    "convert" (a fusion that only converts element types).

    `signature` (opcode, fusion kind, result type and rank) does not change with the batch size, so
    the kernels of two compiles at different batches can be paired by it.
    """

    kind: str
    flops: float
    bytes: float
    signature: str = ""
    cpu_bytes: float | None = None  # what the CPU kernels themselves move, where `bytes` is a GPU estimate
    # GPU estimates only: of `bytes`, the values this kernel is the first to read since a kernel wrote
    # them, one size each (what an eager framework computed just before it; traffic.py).
    fresh_reads: tuple[float, ...] = ()


def arrays(shape: str) -> list[tuple[str, tuple[int, ...]]]:
    """The (element type, dimensions) of every array in a shape, tuples flattened."""
    return [(kind, tuple(int(d) for d in dims.split(",") if d)) for kind, dims in _ARRAY.findall(shape)]


def size_in_bytes(shape: str) -> int:
    return sum(_BYTES.get(kind, 4) * math.prod(dims) for kind, dims in arrays(shape) if kind != "token")


def _split_operands(text: str) -> tuple[tuple[str, ...], str]:
    """The operand names of `text` (everything after the opening parenthesis), and the attributes."""
    depth = 1
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return tuple(re.findall(r"%([\w.\-]+)", text[:index])), text[index + 1:]
    return tuple(re.findall(r"%([\w.\-]+)", text)), ""


def parse(text: str) -> tuple[dict[str, list[Instruction]], str]:
    """Computations by name, and the entry computation's name."""
    computations: dict[str, list[Instruction]] = {}
    entry, current = "", None
    for line in text.splitlines():
        header = _HEADER.match(line)
        if header:
            current = computations.setdefault(header.group(2), [])
            if header.group(1):
                entry = header.group(2)
            continue
        if line.startswith("}"):
            current = None
            continue
        found = _INSTRUCTION.match(line) if current is not None else None
        if found:
            operands, attributes = _split_operands(found.group(4))
            current.append(Instruction(found.group(1), found.group(2), found.group(3), operands, attributes))
    return computations, entry


def _attribute(attributes: str, key: str) -> str:
    found = re.search(key + r"=([^,\s]+(?:\{[^}]*\})?)", attributes)
    return found.group(1) if found else ""


def _dims(text: str) -> list[int]:
    return [int(d) for d in re.findall(r"\d+", text)]


def _dot_flops(inst: Instruction, shapes: dict[str, str]) -> float:
    lhs = arrays(shapes.get(inst.operands[0], ""))
    if not lhs:
        return 0.0
    contract = math.prod(lhs[0][1][i] for i in _dims(_attribute(inst.attributes, "lhs_contracting_dims")))
    return 2.0 * math.prod(arrays(inst.shape)[0][1]) * contract


def _conv_flops(inst: Instruction, shapes: dict[str, str]) -> float:
    rhs = arrays(shapes.get(inst.operands[1], "")) if len(inst.operands) > 1 else []
    labels = _attribute(inst.attributes, "dim_labels")
    if not rhs or "_" not in labels:
        return 0.0
    kernel_labels = labels.split("_")[1].split("->")[0]
    input_features = rhs[0][1][kernel_labels.index("i")]
    window = re.search(r"size=([0-9x]+)", inst.attributes)
    taps = math.prod(_dims(window.group(1).replace("x", " "))) if window else 1
    # A dilated input (transposed convolution, input gradient) meets a real value at one tap in
    # prod(lhs_dilate); the others multiply inserted zeros that cuDNN and XLA skip.
    dilation = re.search(r"lhs_dilate=([0-9x]+)", inst.attributes)
    skipped = math.prod(_dims(dilation.group(1).replace("x", " "))) if dilation else 1
    # The kernel's input-feature dimension is already per group: grouped convolutions need nothing more.
    return 2.0 * math.prod(arrays(inst.shape)[0][1]) * taps * input_features / skipped


def _matrix_work(computation: str, computations: dict[str, list[Instruction]]) -> tuple[str, float]:
    """The kind and FLOPs of the dots and convolutions inside `computation`, nested calls included."""
    body = computations.get(computation, [])
    shapes = {inst.name: inst.shape for inst in body}
    kind, flops = "memory", 0.0
    for inst in body:
        if inst.opcode == "dot":
            kind, flops = ("dot" if kind == "memory" else kind), flops + _dot_flops(inst, shapes)
        elif inst.opcode == "convolution":
            kind, flops = "conv", flops + _conv_flops(inst, shapes)
        else:
            for called in re.findall(r"(?:calls|to_apply)=%([\w.\-]+)", inst.attributes):
                if inst.opcode == "fusion" or inst.opcode == "call":
                    inner_kind, inner = _matrix_work(called, computations)
                    if inner:
                        kind = inner_kind if kind == "memory" else kind
                        flops += inner
    return kind, flops


def _converts_only(body: list[Instruction]) -> bool:
    opcodes = {inst.opcode for inst in body}
    return "convert" in opcodes and opcodes <= _CONVERSION_ONLY


def kernels(text: str) -> list[Kernel]:
    """Every kernel the entry computation launches, in program order.

    A while loop's body is counted once (its trip count is not in the text); the training steps
    profiled here have none.
    """
    computations, entry = parse(text)
    body = computations.get(entry, [])
    shapes = {inst.name: inst.shape for inst in body}
    found: list[Kernel] = []
    for inst in body:
        if inst.opcode in _NOT_KERNELS:
            continue
        moved = size_in_bytes(inst.shape) + sum(size_in_bytes(shapes.get(name, "")) for name in inst.operands)
        result = arrays(inst.shape)
        signature = ":".join([inst.opcode, _attribute(inst.attributes, "kind"),
                              *(f"{kind}{len(dims)}" for kind, dims in result)])
        kind, flops = classify(inst, computations, shapes)
        found.append(Kernel(kind, flops, moved, signature))
    return found


def classify(inst: Instruction, computations: dict[str, list[Instruction]],
             shapes: dict[str, str]) -> tuple[str, float]:
    """What kind of kernel `inst` is (dot, conv, memory, convert) and the FLOPs of its matrix work."""
    if inst.opcode == "dot":
        return "dot", _dot_flops(inst, shapes)
    if inst.opcode == "convolution":
        return "conv", _conv_flops(inst, shapes)
    kind, flops = "memory", 0.0
    for called in re.findall(r"calls=%([\w.\-]+)", inst.attributes):
        inner_kind, inner = _matrix_work(called, computations)
        if inner:
            kind, flops = inner_kind, flops + inner
        elif _converts_only(computations.get(called, [])):
            kind = "convert"
    return kind, flops
