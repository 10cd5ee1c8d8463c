import pytest

from benchmarks import PRESETS, BenchmarkError, Config


def test_presets_cover_tabular_mnist_large_and_conv():
    assert PRESETS["small"].kind == "dense" and PRESETS["small"].features < 100
    assert PRESETS["medium"].features == 784
    assert min(PRESETS["large"].hidden) >= 4096 and PRESETS["large"].batch_size >= 1024
    assert PRESETS["conv"].kind == "conv" and PRESETS["conv"].input_shape(2) == (2, 28, 28, 1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"preset": "meduim"}, "did you mean 'medium'"),
        ({"dtype": "float64"}, "unknown dtype 'float64'"),
        ({"device": "cuda"}, "unknown device 'cuda'"),
        ({"batch_size": 0}, "batch size must be a positive integer"),
        ({"batch_size": -8}, "batch size must be a positive integer"),
        ({"budget_seconds": 0}, "budget must be a positive number"),
        ({"budget_seconds": float("nan")}, "budget must be a positive number"),
        ({"budget_seconds": float("inf")}, "budget must be a positive number of seconds up to 3600"),
    ],
)
def test_bad_config_is_refused_with_one_line(kwargs, message):
    with pytest.raises(BenchmarkError, match=message) as info:
        Config(**kwargs)
    assert "\n" not in str(info.value)


def test_batch_size_defaults_to_the_presets():
    assert Config(preset="large").effective_batch_size == PRESETS["large"].batch_size
    assert Config(preset="large", batch_size=64).effective_batch_size == 64


def test_config_round_trips_through_a_dict():
    config = Config(preset="conv", batch_size=32, dtype="bfloat16", budget_seconds=2.5)
    assert Config.from_dict(config.to_dict()) == config
