"""`muralist generate` with the Stable Diffusion servers: the settings reach the generator."""

import asyncio

from node.cli import main
from storage.media import sniff
from tests.generation.a1111_server import Automatic1111Server
from tests.generation.comfyui_server import ComfyUIServer


async def test_muralist_generate_with_each_server(tmp_path, capsys, monkeypatch):
    for name, server_class in (("automatic1111", Automatic1111Server), ("comfyui", ComfyUIServer)):
        async with server_class(auth_header="Bearer t0ken") as server:
            monkeypatch.setenv("MURALIST_GENERATOR_URL", server.base_url)
            monkeypatch.setenv("MURALIST_GENERATOR_AUTH", "t0ken")
            out = tmp_path / f"{name}.png"
            # main() runs its own event loop: in a thread, while this loop serves the server.
            code = await asyncio.to_thread(main, ["generate", "a paper boat", "--generator", name, "--size", "64x64",
                                                  "--seed", "9", "-o", str(out)])
            assert code == 0, capsys.readouterr().err
            assert sniff(out.read_bytes()).media_type == "image/png"
            assert "seed 9" in capsys.readouterr().out
