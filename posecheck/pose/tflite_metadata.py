"""Write TFLite model metadata (image input normalisation) into a ``.tflite`` flatbuffer.

MediaPipe's Tasks API refuses a float image model without ``NormalizationOptions`` metadata.
The raw pose networks shipped in registry packages have none, so the offline build adds it here
with the flatbuffer schemas that ``mediapipe`` ships (its ``metadata_writers`` are broken in
1.2.2) and the ``flatbuffers`` runtime: the metadata is packed as a ``ModelMetadata`` table
(file identifier ``M001``), appended to the model as a new buffer, referenced by a ``Metadata``
entry named ``TFLITE_METADATA``, and the model is repacked (identifier ``TFL3``).

The output depends only on the input bytes and the arguments, so builds are reproducible.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import flatbuffers
import numpy as np
from mediapipe.tasks.metadata import metadata_schema_py_generated as meta_fb
from mediapipe.tasks.metadata import schema_py_generated as tflite_fb

METADATA_NAME = b"TFLITE_METADATA"
MODEL_IDENTIFIER = b"TFL3"
METADATA_IDENTIFIER = b"M001"
#: Oldest metadata parser that understands what is written here (image properties, normalisation).
MIN_PARSER_VERSION = "1.0.0"
#: Byte alignment of tensor data inside the model (what the TFLite converter uses).
BUFFER_ALIGNMENT = 16


@dataclass(frozen=True)
class ImageModelInfo:
    """What the metadata says about a model with one RGB image input.

    ``mean`` and ``std`` normalise input pixels as ``(pixel - mean) / std``;
    ``outputs`` names the model's output tensors, in the model's output order.
    """

    name: str
    description: str
    mean: float
    std: float
    outputs: Sequence[str]
    author: str = "Google (network); posecheck (metadata)"
    license: str = "Apache-2.0"


def _image_input(mean: float, std: float) -> meta_fb.TensorMetadataT:
    """Tensor metadata for an RGB image input normalised with ``mean`` and ``std``."""
    norm = meta_fb.NormalizationOptionsT()
    norm.mean, norm.std = [float(mean)], [float(std)]
    unit = meta_fb.ProcessUnitT()
    unit.optionsType = meta_fb.ProcessUnitOptions.NormalizationOptions
    unit.options = norm
    props = meta_fb.ImagePropertiesT()
    props.colorSpace = meta_fb.ColorSpaceType.RGB
    content = meta_fb.ContentT()
    content.contentPropertiesType = meta_fb.ContentProperties.ImageProperties
    content.contentProperties = props
    stats = meta_fb.StatsT()
    stats.min, stats.max = [(0.0 - mean) / std], [(255.0 - mean) / std]
    tensor = meta_fb.TensorMetadataT()
    tensor.name = "image"
    tensor.description = "RGB image, values normalised as (pixel - mean) / std."
    tensor.content, tensor.processUnits, tensor.stats = content, [unit], stats
    return tensor


class _AlignedBufferT(tflite_fb.BufferT):  # type: ignore[misc]  # untyped generated code
    """A model buffer whose bytes start on a 16-byte boundary, as the TFLite converter writes them.

    The generated ``BufferT.Pack`` aligns to 1 byte only; TFLite then copies every unaligned
    constant tensor at load time (and says so on stderr) instead of using it in place.
    """

    def Pack(self, builder: flatbuffers.Builder) -> int:  # noqa: N802 (generated API name)
        data = None
        if self.data is not None:
            payload = np.asarray(self.data, dtype=np.uint8).tobytes()
            builder.StartVector(1, len(payload), BUFFER_ALIGNMENT)
            builder.head -= len(payload)
            builder.Bytes[builder.head:builder.head + len(payload)] = payload
            data = builder.EndVector()
        tflite_fb.BufferStart(builder)
        if data is not None:
            tflite_fb.BufferAddData(builder, data)
        tflite_fb.BufferAddOffset(builder, self.offset)
        tflite_fb.BufferAddSize(builder, self.size)
        end: int = tflite_fb.BufferEnd(builder)
        return end


def _aligned(buffer: tflite_fb.BufferT) -> _AlignedBufferT:
    aligned = _AlignedBufferT()
    aligned.data, aligned.offset, aligned.size = buffer.data, buffer.offset, buffer.size
    return aligned


def _named_output(name: str) -> meta_fb.TensorMetadataT:
    tensor = meta_fb.TensorMetadataT()
    tensor.name = name
    return tensor


def metadata_bytes(info: ImageModelInfo) -> bytes:
    """Serialise ``info`` as a ``ModelMetadata`` flatbuffer (identifier ``M001``)."""
    subgraph = meta_fb.SubGraphMetadataT()
    subgraph.inputTensorMetadata = [_image_input(info.mean, info.std)]
    subgraph.outputTensorMetadata = [_named_output(name) for name in info.outputs]
    model = meta_fb.ModelMetadataT()
    model.name, model.description = info.name, info.description
    model.author, model.license = info.author, info.license
    model.subgraphMetadata = [subgraph]
    model.minParserVersion = MIN_PARSER_VERSION
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=METADATA_IDENTIFIER)
    return bytes(builder.Output())


def add_metadata(model_bytes: bytes, info: ImageModelInfo) -> bytes:
    """Return ``model_bytes`` (a TFLite model) with ``info`` written as its TFLite metadata.

    An existing ``TFLITE_METADATA`` entry is replaced. Raises ``ValueError`` when the bytes are not
    a TFLite model or the number of named outputs does not match the model's outputs.
    """
    if model_bytes[4:8] != MODEL_IDENTIFIER:
        raise ValueError("not a TFLite model (no TFL3 identifier)")
    model = tflite_fb.ModelT.InitFromObj(tflite_fb.Model.GetRootAsModel(model_bytes, 0))
    n_outputs = len(model.subgraphs[0].outputs)
    if len(model.subgraphs[0].inputs) != 1 or n_outputs != len(info.outputs):
        raise ValueError(f"model has {len(model.subgraphs[0].inputs)} inputs and {n_outputs} "
                         f"outputs, metadata describes 1 and {len(info.outputs)}")
    buffer = _AlignedBufferT()
    buffer.data = np.frombuffer(metadata_bytes(info), dtype=np.uint8)
    model.metadata = [m for m in (model.metadata or []) if m.name != METADATA_NAME]
    entry = tflite_fb.MetadataT()
    entry.name, entry.buffer = METADATA_NAME, len(model.buffers)
    model.buffers = [_aligned(b) for b in model.buffers] + [buffer]
    model.metadata.append(entry)
    builder = flatbuffers.Builder(len(model_bytes) + 4096)
    builder.Finish(model.Pack(builder), file_identifier=MODEL_IDENTIFIER)
    return bytes(builder.Output())


def read_metadata(model_bytes: bytes) -> meta_fb.ModelMetadataT | None:
    """The ``TFLITE_METADATA`` of a TFLite model, or ``None`` when it has none."""
    model = tflite_fb.Model.GetRootAsModel(model_bytes, 0)
    for i in range(model.MetadataLength()):
        entry = model.Metadata(i)
        if entry.Name() == METADATA_NAME:
            data = model.Buffers(entry.Buffer()).DataAsNumpy().tobytes()
            return meta_fb.ModelMetadataT.InitFromObj(meta_fb.ModelMetadata.GetRootAs(data, 0))
    return None
