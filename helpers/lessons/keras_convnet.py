"""Notebook 08's small convnet in Keras, with its random augmentation layers and training recipe; 08a reuses it.
Keras is imported on the course's backend (see :func:`helpers.env.import_keras`)."""

from __future__ import annotations

import math
import time

import numpy as np

from ..env import import_keras
from .training import History

keras = import_keras()
layers = keras.layers


def keras_augmentation() -> keras.Sequential:
    """The random layers, new for every model (Keras's rotation factor is a fraction of a turn)."""
    return keras.Sequential(
        [
            layers.RandomFlip("horizontal"),
            layers.RandomRotation(15 / 360),
            layers.RandomTranslation(0.1, 0.1),
            layers.RandomZoom(0.2),
            layers.RandomBrightness(0.1),
            layers.RandomContrast(0.2),
        ],
        name="augmentation",
    )


def keras_convnet(
    augment: bool, dropout: float, momentum: float = 0.9, epsilon: float = 1e-5, size: int = 64
) -> keras.Model:
    """The small convnet in Keras: uint8 photos (size, size, 3) in, two class probabilities out."""
    inputs = keras.Input((size, size, 3), dtype="uint8")
    x = keras_augmentation()(inputs) if augment else inputs
    x = layers.Rescaling(1 / (255 * 0.25), offset=-2.0)(x)  # (x / 255 - 0.5) / 0.25, as in PyTorch
    for index, width in enumerate((16, 32, 64, 128, 256)):
        x = layers.Conv2D(width, 3, strides=2 if index == 0 else 1, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization(momentum=momentum, epsilon=epsilon)(x)  # defaults: PyTorch's
        x = layers.ReLU()(x)
        if 1 <= index <= 3:
            x = layers.MaxPooling2D(2)(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(dropout)(x)
    return keras.Model(inputs, layers.Dense(2, activation="softmax")(x))


def train_keras(
    model: keras.Model,
    train: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray],
    epochs: int,
    peak_lr: float,
    batch_size: int = 64,
) -> History:
    """Train a Keras model with AdamW, a warm-up and cosine decay; validate after every epoch."""
    steps = epochs * math.ceil(len(train[0]) / batch_size)
    warmup = int(0.3 * steps)
    schedule = keras.optimizers.schedules.CosineDecay(
        peak_lr / 25, decay_steps=steps - warmup, warmup_target=peak_lr, warmup_steps=warmup
    )
    model.compile(
        optimizer=keras.optimizers.AdamW(schedule, weight_decay=0.05),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    started = time.perf_counter()
    logs = model.fit(*train, validation_data=validation, epochs=epochs, batch_size=batch_size, verbose=0).history
    seconds = time.perf_counter() - started
    return History(logs["loss"], logs["accuracy"], logs["val_loss"], logs["val_accuracy"], [seconds / epochs] * epochs)


def keras_run(
    train: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray],
    augment: bool,
    dropout: float,
    epochs: int,
    peak_lr: float,
) -> tuple[keras.Model, History]:
    """Seed, build and train a fresh Keras convnet (the seed comes first, so every run is reproducible)."""
    keras.utils.set_random_seed(0)
    model = keras_convnet(augment, dropout)
    return model, train_keras(model, train, validation, epochs, peak_lr)
