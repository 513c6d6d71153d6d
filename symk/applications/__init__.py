"""`symk.applications`: the Keras application architectures (Keras 3.15's layer names, orders and
arguments), each family in its own module with its `preprocess_input` / `decode_predictions`.

    base = symk.applications.ResNet50(weights=None, include_top=False, input_shape=(224, 224, 3))
"""
from . import (convnext, densenet, efficientnet, efficientnet_v2, imagenet_utils, inception_resnet_v2,
               inception_v3, mobilenet, mobilenet_v2, mobilenet_v3, nasnet, resnet, resnet_v2, vgg16, vgg19,
               xception)
from .convnext import *  # noqa: F401,F403
from .densenet import *  # noqa: F401,F403
from .efficientnet import *  # noqa: F401,F403
from .efficientnet_v2 import *  # noqa: F401,F403
from .inception_resnet_v2 import *  # noqa: F401,F403
from .inception_v3 import *  # noqa: F401,F403
from .mobilenet import *  # noqa: F401,F403
from .mobilenet_v2 import *  # noqa: F401,F403
from .mobilenet_v3 import *  # noqa: F401,F403
from .nasnet import *  # noqa: F401,F403
from .resnet import *  # noqa: F401,F403
from .resnet_v2 import *  # noqa: F401,F403
from .vgg16 import *  # noqa: F401,F403
from .vgg19 import *  # noqa: F401,F403
from .xception import *  # noqa: F401,F403

# Keras's module spellings (keras.applications.resnet50.preprocess_input, ...)
resnet50 = resnet
