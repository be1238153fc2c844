"""Lesson code: what the notebooks teach, kept here so later notebooks reuse exactly the code an earlier one
showed with :func:`helpers.show_source`.

- :mod:`.convolution`: cross-correlation, padding, stride, dilation and the output-size formula (notebooks 01-03);
- :mod:`.pooling`: max, average and L2 pooling (notebook 04);
- :mod:`.losses`: the SVM, binary hinge and (log-sum-exp) softmax losses (notebook 05);
- :mod:`.regularisation`: inverted dropout and batch normalisation from scratch (notebook 05);
- :mod:`.training`: the in-memory training loop and its curves (notebook 06);
- :mod:`.lenet`: the modern LeNet (notebook 06);
- :mod:`.accounting`: shapes, parameters, multiply-adds and memory per layer (notebook 09).

Everything else in :mod:`helpers` is plumbing (settings, data, figures, results).
"""
