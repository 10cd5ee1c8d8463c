"""The well-known workloads by name: what each is, its inputs, and the batch people train it at.

Pure Python (no jax), so a front end can list and check names without loading JAX.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WorkloadSpec:
    name: str
    family: str  # "resnet", "bert", "gpt", "vit", "llm-lora" or "autoencoder"
    description: str
    batch_size: int  # a common single-GPU training batch
    sequence: int = 0  # tokens per sample (transformers on text)
    preset: str = ""  # the AutoEncoder preset, for family "autoencoder"
    lora_rank: int = 0  # the LoRA adapters' rank, for family "llm-lora"
    image: int = 224  # input height and width (image families)
    classes: int = 1000  # output classes (image families)
    # The two batches its step is compiled at (every kernel's work is read at both and extended
    # linearly): small ones, around the batch people train it at.
    profile_batches: tuple[int, int] = (4, 8)


WORKLOADS: dict[str, WorkloadSpec] = {
    spec.name: spec
    for spec in (
        WorkloadSpec("resnet50", "resnet", "ResNet-50 v1.5, 224x224 RGB, 1000 classes, SGD+momentum", 64),
        WorkloadSpec("resnet50-cifar", "resnet",
                     "ResNet-50 for 32x32 RGB (3x3 stem, no max-pool), 10 classes, SGD+momentum", 256,
                     image=32, classes=10),
        WorkloadSpec("bert-base-128", "bert", "BERT-base (110M), sequence 128, span-prediction head", 32, 128),
        WorkloadSpec("bert-base-384", "bert", "BERT-base (110M), sequence 384 (SQuAD fine-tune)", 32, 384),
        WorkloadSpec("bert-base-512", "bert", "BERT-base (110M), sequence 512, span-prediction head", 16, 512),
        WorkloadSpec("bert-large-384", "bert", "BERT-large (340M), sequence 384 (SQuAD fine-tune)", 8, 384),
        WorkloadSpec("gpt2-small", "gpt", "GPT-2 small (124M), sequence 1024, next-token loss", 8, 1024),
        WorkloadSpec("mistral-7b-qlora-512", "llm-lora",
                     "Mistral 7B (7.2B) QLoRA fine-tune: 4-bit NF4 frozen weights, LoRA r=8 on q/v, sequence 512",
                     1, 512, lora_rank=8, profile_batches=(1, 2)),
        WorkloadSpec("vit-b16", "vit", "ViT-B/16, 224x224 RGB, 1000 classes", 64),
        WorkloadSpec("ae-small", "autoencoder", "AutoEncoder, small preset (dense 64-32-8)", 256, preset="small"),
        WorkloadSpec("ae-medium", "autoencoder", "AutoEncoder, medium preset (dense 784-512-32)", 256,
                     preset="medium"),
        WorkloadSpec("ae-large", "autoencoder", "AutoEncoder, large preset (dense 784-4096x3-256)", 4096,
                     preset="large"),
        WorkloadSpec("ae-conv", "autoencoder", "AutoEncoder, conv preset (28x28, 2 strided convs)", 256,
                     preset="conv"),
    )
}

# Transformer shapes (width, depth, heads, vocabulary) from the BERT, GPT-2 and ViT papers.
TRANSFORMER_SHAPES = {
    "bert-base": (768, 12, 12, 30522),
    "bert-large": (1024, 24, 16, 30522),
    "gpt2-small": (768, 12, 12, 50257),
    "vit-b16": (768, 12, 12, 0),
}
# Decoder LLM shapes (width, depth, heads, key/value heads, MLP hidden, vocabulary): Mistral 7B from
# Jiang et al. 2023, Table 1 (dim 4096, 32 layers, 32 heads, 8 kv heads, hidden 14336, vocab 32000).
LLM_SHAPES = {
    "mistral-7b": (4096, 32, 32, 8, 14336, 32000),
}


def workload_for_preset(preset: str) -> str:
    return f"ae-{preset}"
