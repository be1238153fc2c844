# Put this folder first on PYTHONPATH to make `import tensorflow` fail: the test run uses it to check that
# every Keras notebook also runs on the PyTorch backend with TensorFlow absent.
raise ImportError("TensorFlow is blocked here: this run checks that Keras works on the PyTorch backend without it")
