#!/usr/bin/python3
"""The PyTorch side of src/bench/curve.ts: the reference char-LSTM (embedding 32, 2 x LSTM 256, stateful truncated
BPTT, Adam, global-norm clip, dropout between the layers), trained for a fixed number of steps; prints the loss
of every step in bits/char and held-out bits/char (batch 1, state carried, first char unscored) of the first
--test-chars characters of the test file.

--init torch (PyTorch's defaults) or keras (Inkling's: embedding U(+-0.05), Glorot-uniform input kernels,
orthogonal recurrent blocks per gate, zero biases with the forget-gate bias at 1, Glorot-uniform output layer).
--seconds S trains for a wall-clock budget instead of --steps. TRAIN and TEST may be folders.
--top-dropout also drops the top layer's output (what Inkling's trainer did before).
Run with Debian's python3-torch: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/peer-curve.py ..."""
import argparse, json, math, os, time
import torch, torch.nn as nn

def read(p):
    """A file, or every UTF-8 file under a folder (sorted), joined by blank lines as Inkling joins documents."""
    if not os.path.isdir(p): return open(p, encoding='utf-8').read()
    out = []
    for root, dirs, files in os.walk(p):
        dirs.sort()
        for f in sorted(files):
            try: out.append(open(os.path.join(root, f), encoding='utf-8').read())
            except UnicodeDecodeError: pass
    return '\n\n'.join(out)

ap = argparse.ArgumentParser()
ap.add_argument('train'); ap.add_argument('test')
ap.add_argument('--steps', type=int, default=300); ap.add_argument('--seconds', type=float, default=0); ap.add_argument('--lr', type=float, default=0.002)
ap.add_argument('--batch', type=int, default=32); ap.add_argument('--seq', type=int, default=64)
ap.add_argument('--units', type=int, default=256); ap.add_argument('--layers', type=int, default=2)
ap.add_argument('--embedding', type=int, default=32); ap.add_argument('--dropout', type=float, default=0.1)
ap.add_argument('--clip', type=float, default=5.0); ap.add_argument('--eps', type=float, default=1e-8)
ap.add_argument('--beta1', type=float, default=0.9); ap.add_argument('--beta2', type=float, default=0.999)
ap.add_argument('--init', choices=['torch', 'keras'], default='torch'); ap.add_argument('--top-dropout', action='store_true')
ap.add_argument('--threads', type=int, default=2); ap.add_argument('--test-chars', type=int, default=100000)
ap.add_argument('--seed', type=int, default=1); ap.add_argument('--out')
a = ap.parse_args()
torch.set_num_threads(a.threads); torch.manual_seed(a.seed)
text = read(a.train); test = read(a.test)[:a.test_chars]
chars = sorted(set(text)); idx = {c: i + 1 for i, c in enumerate(chars)}
V = len(chars) + 1
data = torch.tensor([idx.get(c, 0) for c in text], dtype=torch.long)
H = a.units

class M(nn.Module):
    def __init__(s):
        super().__init__(); s.e = nn.Embedding(V, a.embedding)
        s.l = nn.LSTM(a.embedding, H, a.layers, batch_first=True, dropout=a.dropout if a.layers > 1 else 0)
        s.d = nn.Dropout(a.dropout if a.top_dropout else 0.0); s.o = nn.Linear(H, V)
    def forward(s, x, h): y, h = s.l(s.e(x), h); return s.o(s.d(y)), h

m = M()
if a.init == 'keras':
    with torch.no_grad():
        nn.init.uniform_(m.e.weight, -0.05, 0.05)
        for l in range(a.layers):
            wi = getattr(m.l, f'weight_ih_l{l}'); wh = getattr(m.l, f'weight_hh_l{l}')
            inp = wi.shape[1]; lim = math.sqrt(6 / (inp + 4 * H)); nn.init.uniform_(wi, -lim, lim)
            for g in range(4): nn.init.orthogonal_(wh[g * H:(g + 1) * H])
            bi = getattr(m.l, f'bias_ih_l{l}'); bh = getattr(m.l, f'bias_hh_l{l}')
            bi.zero_(); bh.zero_(); bi[H:2 * H] = 1.0
        lim = math.sqrt(6 / (H + V)); nn.init.uniform_(m.o.weight, -lim, lim); m.o.bias.zero_()
opt = torch.optim.Adam(m.parameters(), lr=a.lr, betas=(a.beta1, a.beta2), eps=a.eps); lossf = nn.CrossEntropyLoss()
B, T = a.batch, a.seq
stream = len(data) // B; cols = data[: stream * B].view(B, stream)
h = None; pos = 0; losses = []; t0 = time.time()
step = 0
while (time.time() - t0 < a.seconds) if a.seconds > 0 else (step < a.steps):
    step += 1
    if pos + T + 1 > stream: pos = 0; h = None
    x = cols[:, pos:pos + T]; y = cols[:, pos + 1:pos + T + 1]; pos += T
    if h is not None: h = tuple(t.detach() for t in h)
    out, h = m(x, h); loss = lossf(out.reshape(-1, V), y.reshape(-1))
    opt.zero_grad(); loss.backward(); nn.utils.clip_grad_norm_(m.parameters(), a.clip); opt.step()
    losses.append(round(loss.item() / math.log(2), 4))
sec = time.time() - t0
m.eval(); ids = torch.tensor([[idx.get(c, 0) for c in test]]); total = 0.0; h = None
with torch.no_grad():
    for s in range(0, ids.shape[1] - 1, 1024):
        x = ids[:, s:s + 1024]; y = ids[:, s + 1:s + 1025]; x = x[:, :y.shape[1]]
        out, h = m(x, h); total += nn.functional.cross_entropy(out.reshape(-1, V), y.reshape(-1), reduction='sum').item()
res = {'engine': 'pytorch', 'init': a.init, 'topDropout': a.top_dropout, 'steps': step, 'seconds': round(sec, 1),
       'charsPerSec': round(step * B * T / sec), 'heldOutChars': ids.shape[1],
       'heldOut': round(total / (ids.shape[1] - 1) / math.log(2), 4)}
if a.out: json.dump({**res, 'losses': losses}, open(a.out, 'w'))
print(json.dumps(res))
every = max(1, len(losses) // 20)
print(' '.join(f'{i + 1}:{x:.3f}' for i, x in enumerate(losses) if i % every == every - 1))
