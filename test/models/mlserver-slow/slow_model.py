"""A deliberately slow MLServer model for the adapter's timeout test: echoes its input after `delay_seconds`."""
import asyncio

from mlserver import MLModel
from mlserver.codecs import NumpyCodec
from mlserver.types import InferenceRequest, InferenceResponse


class SlowModel(MLModel):
    async def load(self) -> bool:
        self._delay = float((self.settings.parameters.extra or {}).get("delay_seconds", 3))
        return True

    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        await asyncio.sleep(self._delay)
        rows = NumpyCodec.decode_input(payload.inputs[0])
        return InferenceResponse(model_name=self.name, outputs=[NumpyCodec.encode_output("echo", rows)])
