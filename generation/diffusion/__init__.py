"""The `diffusers` generator: a text-to-image model from a local folder (MURALIST_DIFFUSION_MODEL_DIR),
on the GPU when there is one and on the CPU otherwise. Needs `pip install 'muralist[diffusion]'`.

New images are text-to-image, remixes image-to-image from the source with the strength setting.
Steps, guidance and size default per model (generation/diffusion/models.py). Every image
records its seed: the request's, or one chosen here.

Requests that arrive together (a worker's round runs its claimed jobs at once) are drawn in
batches: one pipeline call for up to `batch_size` jobs of the same kind and size, each with its
own seeded torch generator. The pipeline is loaded once (`prepare()`, which the worker calls at
start) and kept between jobs, then released after `idle_seconds` without work.
"""

import asyncio
import logging
from dataclasses import dataclass

from generation.base import GenerationRequest, GenerationResult, validate_request
from generation.diffusion.models import ModelFolder, check_model_dir
from generation.diffusion.pipeline import Job, Loaded, draw, load, pick_device, release, require_library, to_png
from generation.errors import GenerationError
from generation.images import choose_seed, open_source
from generation.styles import styled_prompt

log = logging.getLogger(__name__)


@dataclass
class _Waiting:
    key: tuple[bool, tuple[int, int]]  # (a remix, the size drawn): what a batch shares
    job: Job
    size: tuple[int, int]  # the size asked for
    future: asyncio.Future


class DiffusersGenerator:
    name = "diffusers"

    def __init__(self, *, model_dir: str | None = None, device: str = "auto", steps: int | None = None,
                 guidance: float | None = None, strength: float = 0.6, batch_size: int = 4,
                 idle_seconds: float = 600.0, batch_wait: float = 0.05) -> None:
        """Checks the folder and the library now, so a broken setup fails when the node starts."""
        self.folder: ModelFolder = check_model_dir(model_dir)
        require_library()
        if not 0.0 < strength <= 1.0:
            raise GenerationError("the remix strength must be above 0 and at most 1")
        if batch_size < 1 or (steps is not None and steps < 1) or idle_seconds < 0:
            raise GenerationError("the diffusers generator needs steps and a batch size of 1 or more")
        profile = self.folder.profile
        self.device_setting = device
        self.steps = steps or profile.steps
        self.guidance = profile.guidance if guidance is None else guidance
        self.strength, self.batch_size = strength, batch_size
        self.idle_seconds, self.batch_wait = idle_seconds, batch_wait
        self.batches: list[int] = []  # how many images each pipeline call drew, oldest first
        self._queue: list[_Waiting] = []
        self._drainer: asyncio.Task | None = None
        self._loaded: Loaded | None = None
        self._load_lock = asyncio.Lock()
        self._release_timer: asyncio.TimerHandle | None = None

    @property
    def loaded(self) -> bool:
        return self._loaded is not None

    def describe(self) -> dict:
        return {"model": self.folder.model_name, "profile": self.folder.profile.name, "seeds": True, "remix": True,
                "steps": self.steps, "guidance": self.guidance, "batch_size": self.batch_size,
                "device": self._loaded.device if self._loaded is not None else self.device_setting}

    async def prepare(self) -> None:
        """Load the pipeline now; GenerationError when the library cannot load the model."""
        await self._ensure_loaded()
        self._schedule_release()

    async def generate(self, request: GenerationRequest) -> GenerationResult:
        request = validate_request(request)
        seed = choose_seed(request.seed)
        drawn = self._grid(request.size)
        source = None
        if request.source_image is not None:
            source = await asyncio.to_thread(lambda: open_source(request.source_image).resize(drawn))
        waiting = _Waiting((source is not None, drawn), Job(styled_prompt(request.prompt, request.style), seed, source),
                           request.size, asyncio.get_running_loop().create_future())
        self._queue.append(waiting)
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())
        image = await waiting.future
        return GenerationResult(image=image, media_type="image/png", model=self.folder.model_name, seed=seed,
                                generator=self.name)

    async def aclose(self) -> None:
        if self._drainer is not None:
            await asyncio.gather(self._drainer, return_exceptions=True)
        self._cancel_release()
        loaded, self._loaded = self._loaded, None
        release(loaded)

    def _grid(self, size: tuple[int, int]) -> tuple[int, int]:
        multiple = self.folder.profile.side_multiple
        return tuple(max(multiple, side // multiple * multiple) for side in size)

    async def _ensure_loaded(self) -> Loaded:
        self._cancel_release()
        async with self._load_lock:
            if self._loaded is None:
                device = pick_device(self.device_setting)
                self._loaded = await asyncio.to_thread(load, self.folder, device)
                log.info("loaded the diffusion model %s on %s", self.folder.path, device)
            return self._loaded

    async def _drain(self) -> None:
        await asyncio.sleep(self.batch_wait)  # the rest of the worker's round is on its way: let it join
        while self._queue:
            batch = self._take_batch()
            try:
                loaded = await self._ensure_loaded()
                images = await asyncio.to_thread(draw, loaded, [item.job for item in batch], batch[0].key[1],
                                                 steps=self.steps, guidance=self.guidance, strength=self.strength)
                pngs = await asyncio.to_thread(lambda: [to_png(image, item.size) for image, item in zip(images, batch)])
            except Exception as exc:  # noqa: BLE001 - handed to every caller of the batch, who sorts it out
                for item in batch:
                    if not item.future.done():
                        item.future.set_exception(_copy(exc))
                continue
            self.batches.append(len(batch))
            for item, png in zip(batch, pngs):
                if not item.future.done():  # its caller may have gone
                    item.future.set_result(png)
        self._schedule_release()

    def _take_batch(self) -> list[_Waiting]:
        key = self._queue[0].key
        batch = [item for item in self._queue if item.key == key][:self.batch_size]
        self._queue = [item for item in self._queue if item not in batch]
        return batch

    def _schedule_release(self) -> None:
        self._cancel_release()
        self._release_timer = asyncio.get_running_loop().call_later(self.idle_seconds, self._release_if_idle)

    def _cancel_release(self) -> None:
        if self._release_timer is not None:
            self._release_timer.cancel()
            self._release_timer = None

    def _release_if_idle(self) -> None:
        if self._queue or (self._drainer is not None and not self._drainer.done()) or self._load_lock.locked():
            return
        loaded, self._loaded = self._loaded, None
        release(loaded)
        log.info("released the idle diffusion model %s", self.folder.path)


def _copy(exc: Exception) -> Exception:
    """One exception object per waiting caller: raising a shared one in several tasks would
    tangle their tracebacks."""
    try:
        return type(exc)(*exc.args)
    except Exception:  # noqa: BLE001 - an exception type with another constructor
        return exc
