"""Training a Keras classifier the way notebooks 06 and 07 do: Adam, a short warm-up, then cosine decay.
Keras is imported on the course's backend (see :func:`helpers.env.import_keras`)."""

from __future__ import annotations

import math
import time

import numpy as np

from ..env import import_keras

keras = import_keras()


def fit_warmup_cosine(
    model: keras.Model,
    train: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray],
    *,
    epochs: int,
    peak_lr: float,
    batch_size: int = 128,
) -> tuple[keras.callbacks.History, float]:
    """Train ``model`` (it outputs logits) with Adam: the learning rate climbs from ``peak_lr / 10`` to ``peak_lr``
    over the first quarter of the steps, then follows a cosine down to zero. Validation after every epoch.
    Returns Keras's history and the seconds the training took."""
    steps = epochs * math.ceil(len(train[0]) / batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(
        peak_lr / 10, decay_steps=steps - steps // 4, warmup_target=peak_lr, warmup_steps=steps // 4
    )
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    started = time.perf_counter()
    history = model.fit(*train, batch_size=batch_size, epochs=epochs, validation_data=validation, verbose=0)
    return history, time.perf_counter() - started
