"""segcourse: the tested package behind the image semantic segmentation course book.

Importing ``segcourse`` (or ``segcourse.classical``) never imports TensorFlow, so Part I
of the course starts instantly.
"""

__version__ = "0.1.0"
