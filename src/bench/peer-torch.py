#!/usr/bin/python3
"""PyTorch peer of `inkling bench`: the same char-LSTM trained the way a PyTorch user would write it.

Model: Embedding(V, E) -> nn.LSTM(E, H, L, dropout between layers) -> Linear(H, V); cross-entropy, Adam,
clip_grad_norm_(5), stateful truncated BPTT (the state is carried and detached between batches). Batches are
random characters, as in Inkling's own measurement (speed does not depend on the text). Prints one JSON line:
charsPerSec (from the median step time after a warm-up step), stepSec, steps, torch, threads, blas.

Usage: peer-torch.py [--seconds S] [--threads N] [--batch B] [--seq T] [--units H] [--layers L]
                     [--embedding E] [--vocab V] [--dropout P]
"""
import argparse
import json
import os
import statistics
import sys
import time


def blas_in_use(torch):
    """Which BLAS library the process has loaded (threadpoolctl when installed, else the memory map)."""
    torch.ones(64, 64) @ torch.ones(64, 64)  # make sure the BLAS is loaded
    try:
        import threadpoolctl  # noqa: PLC0415
        libs = [f"{i.get('internal_api')} {i.get('version') or ''} ({i.get('filepath')})".strip()
                for i in threadpoolctl.threadpool_info() if i.get('user_api') == 'blas']
        if libs:
            return '; '.join(libs)
    except ImportError:
        pass
    try:
        with open('/proc/self/maps', encoding='utf-8') as f:
            paths = sorted({line.split()[-1] for line in f if 'blas' in line.lower() and '/' in line})
        libs = sorted({os.path.realpath(p) for p in paths if 'lapack' not in os.path.basename(p)})
        if libs:
            return ', '.join(libs)
    except OSError:
        pass
    build = [s for s in torch.__config__.show().replace(',', '\n').split('\n') if 'BLAS_INFO' in s]
    return f"unknown at run time (build: {build[0].strip() if build else '?'})"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seconds', type=float, default=15)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--seq', type=int, default=64)
    ap.add_argument('--units', type=int, default=256)
    ap.add_argument('--layers', type=int, default=2)
    ap.add_argument('--embedding', type=int, default=32)
    ap.add_argument('--vocab', type=int, default=65)
    ap.add_argument('--dropout', type=float, default=0.1)
    a = ap.parse_args()
    try:
        import torch  # noqa: PLC0415
        from torch import nn  # noqa: PLC0415
    except ImportError as e:
        print(json.dumps({'error': f'cannot import torch: {e}'}))
        return 0
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    V, B, T = a.vocab, a.batch, a.seq

    class CharLstm(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(V, a.embedding)
            self.lstm = nn.LSTM(a.embedding, a.units, a.layers, batch_first=True,
                                dropout=a.dropout if a.layers > 1 else 0.0)
            self.out = nn.Linear(a.units, V)

        def forward(self, x, state):
            y, state = self.lstm(self.embed(x), state)
            return self.out(y), state

    model = CharLstm()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.randint(0, V, (B, T))
    y = torch.randint(0, V, (B, T))
    state = None

    def step():
        nonlocal state
        if state is not None:
            state = tuple(s.detach() for s in state)
        logits, state = model(x, state)
        loss = loss_fn(logits.reshape(-1, V), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()

    step()  # warm-up
    times = []
    end = time.perf_counter() + a.seconds
    while len(times) < 3 or time.perf_counter() < end:
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
        if len(times) >= 1000:
            break
    s = statistics.median(times)
    print(json.dumps({
        'charsPerSec': B * T / s, 'stepSec': s, 'steps': len(times), 'torch': torch.__version__,
        'threads': torch.get_num_threads(), 'blas': blas_in_use(torch),
    }))
    return 0


if __name__ == '__main__':
    sys.exit(main())
