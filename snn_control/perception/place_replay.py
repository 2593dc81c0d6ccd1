"""The query images ``image_replay`` plays, without ROS: a traverse folder, or the synthetic
benchmark rendered on the fly.

Image ``k`` of a replay shows place ``first_place + k`` (the i-th image of every traverse shows
place i, :mod:`snn_control.perception.places.data`), which is its ground truth. Images are read or
rendered when asked for, so a long traverse costs no memory and no start-up time.

* ``folder``: image ``first_place + k`` of ``<folder>/<traverse>``, read as 8-bit grayscale by
  :func:`~snn_control.perception.places.data.read_gray` (an unreadable file raises
  :class:`~snn_control.perception.places.data.PlaceDataError` when its turn comes).
* ``synth``: :func:`~snn_control.perception.places.synth.render_place` of condition ``traverse``
  on the route of ``synth_seed``, with the per-image generator the benchmark's files are made with
  (:func:`~snn_control.perception.places.synth.image_rng`), converted BGR to gray by OpenCV: the
  image the data set holds, without writing it.
"""

from __future__ import annotations

import numpy as np

from snn_control.perception.config import ImageReplayConfig


class QueryImages:
    """``len(q)`` images; ``q.place(k)`` is image ``k``'s true place, ``q.image(k)`` uint8 ``(h, w)``.

    Raises:
        PlaceDataError: (``source: folder``) the folder or traverse is missing or empty, or the
            requested places run past its end.
    """

    def __init__(self, config: ImageReplayConfig) -> None:
        self.config = c = config
        self._files: tuple = ()
        self._world = None
        if c.source == "folder":
            from snn_control.perception.places.data import PlaceDataError, open_traverses

            files = open_traverses(c.folder, [c.traverse]).files[c.traverse]
            count = c.n_images or max(0, len(files) - c.first_place)
            if count == 0 or c.first_place + count > len(files):
                raise PlaceDataError(f"{c.folder}/{c.traverse}: holds {len(files)} images; places "
                                     f"{c.first_place}..{c.first_place + max(count, 1) - 1} were asked for")
            self._files = files[c.first_place:c.first_place + count]
        else:
            from snn_control.perception.places.synth import PlaceBenchConfig, World

            self._world = World(PlaceBenchConfig(places=c.first_place + c.n_images, seed=c.synth_seed,
                                                 width=c.synth_width, height=c.synth_height,
                                                 traverses=(c.traverse,)))
            count = c.n_images
        self._count = count

    def __len__(self) -> int:
        return self._count

    def place(self, k: int) -> int:
        self._check(k)
        return self.config.first_place + k

    def image(self, k: int) -> np.ndarray:
        self._check(k)
        if self._files:
            from snn_control.perception.places.data import read_gray

            return read_gray(self._files[k])
        import cv2

        from snn_control.perception.places.synth import image_rng, render_place

        c, i = self.config, self.place(k)
        bgr = render_place(self._world, i, c.traverse, image_rng(c.synth_seed, c.traverse, i))
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)

    def _check(self, k: int) -> None:
        if not 0 <= k < self._count:
            raise IndexError(f"image {k} of a replay of {self._count}")
