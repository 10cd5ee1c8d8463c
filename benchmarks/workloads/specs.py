"""The well-known workloads by name: what each is, its inputs, and the batch people train it at.

Pure Python (no jax), so a front end can list and check names without loading JAX.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WorkloadSpec:
    name: str
    family: str  # "resnet", "bert", "gpt", "vit" or "autoencoder"
    description: str
    batch_size: int  # a common single-GPU training batch
    sequence: int = 0  # tokens per sample (transformers on text)
    preset: str = ""  # the AutoEncoder preset, for family "autoencoder"


WORKLOADS: dict[str, WorkloadSpec] = {
    spec.name: spec
    for spec in (
        WorkloadSpec("resnet50", "resnet", "ResNet-50 v1.5, 224x224 RGB, 1000 classes, SGD+momentum", 64),
        WorkloadSpec("bert-base-128", "bert", "BERT-base (110M), sequence 128, span-prediction head", 32, 128),
        WorkloadSpec("bert-base-384", "bert", "BERT-base (110M), sequence 384 (SQuAD fine-tune)", 32, 384),
        WorkloadSpec("bert-base-512", "bert", "BERT-base (110M), sequence 512, span-prediction head", 16, 512),
        WorkloadSpec("bert-large-384", "bert", "BERT-large (340M), sequence 384 (SQuAD fine-tune)", 8, 384),
        WorkloadSpec("gpt2-small", "gpt", "GPT-2 small (124M), sequence 1024, next-token loss", 8, 1024),
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


def workload_for_preset(preset: str) -> str:
    return f"ae-{preset}"
