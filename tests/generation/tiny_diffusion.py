"""A tiny, randomly initialised Stable Diffusion pipeline saved to a folder, for the diffusers
generator's tests and benchmark: no download, built in about a second on the CPU.

The UNet, VAE and CLIP text encoder have a few channels and layers; the CLIP tokenizer's vocab
and merges are written here (letters as word pieces, so any prompt tokenizes). The pictures
are noise, but every step of a real pipeline runs: tokenizing, encoding, denoising with the
scheduler, decoding, and image-to-image's encoding of the source.
"""

import json
import string
from pathlib import Path


def write_tokenizer_files(folder: Path) -> tuple[Path, Path]:
    letters = list(string.ascii_lowercase + string.digits)
    tokens = ["<|startoftext|>", "<|endoftext|>"] + letters + [f"{letter}</w>" for letter in letters]
    vocab, merges = folder / "vocab.json", folder / "merges.txt"
    vocab.write_text(json.dumps({token: index for index, token in enumerate(tokens)}))
    merges.write_text("#version: 0.2\n")
    return vocab, merges


def build_tiny_pipeline(folder: Path, *, name: str = "tiny-sd-turbo") -> Path:
    """Save the tiny pipeline under folder/name and return its path."""
    import torch
    from transformers.utils import logging as transformers_logging

    transformers_logging.set_verbosity_error()  # before diffusers: no notes about a missing torchvision
    from diffusers.utils import logging as diffusers_logging
    from diffusers import AutoencoderKL, EulerDiscreteScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    diffusers_logging.disable_progress_bar()
    transformers_logging.disable_progress_bar()
    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        block_out_channels=(8, 16), layers_per_block=1, sample_size=16, in_channels=4, out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=16, attention_head_dim=2, norm_num_groups=4,
    )
    vae = AutoencoderKL(
        block_out_channels=(8, 16), in_channels=3, out_channels=3, latent_channels=4, norm_num_groups=4,
        down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"),
        up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"),
    )
    text_encoder = CLIPTextModel(CLIPTextConfig(
        bos_token_id=0, eos_token_id=1, pad_token_id=1, hidden_size=16, intermediate_size=32,
        num_attention_heads=2, num_hidden_layers=2, vocab_size=80, max_position_embeddings=77,
    ))
    work = folder / f"{name}-tokenizer-source"
    work.mkdir(parents=True, exist_ok=True)
    vocab, merges = write_tokenizer_files(work)
    tokenizer = CLIPTokenizer(str(vocab), str(merges), unk_token="<|endoftext|>", model_max_length=77)
    # SD-Turbo's scheduler: Euler with trailing timesteps, so one or two steps make a picture.
    scheduler = EulerDiscreteScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                                       timestep_spacing="trailing", steps_offset=1)
    pipeline = StableDiffusionPipeline(
        unet=unet, vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, scheduler=scheduler,
        safety_checker=None, feature_extractor=None, requires_safety_checker=False,
    )
    target = folder / name
    pipeline.save_pretrained(target)
    return target
