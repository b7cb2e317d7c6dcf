"""The two-layer network of Gerace et al. 2022 and its training loops (PyTorch).

    f(x) = (ReLU(x W1^T / D) - mu) . w2 / sqrt(H),     W1 (H, D), w2 (H,), init i.i.d. N(0, 1)

mu is an optional fixed (non-trainable) centring vector (default: none, i.e. mu = 0). It is used to
fine-tune from a transferred-feature (TF) solution fitted on centred features (ft-TF).

Loss: binary cross-entropy on labels y in {-1, +1}, l(y, f) = log(1 + exp(-y f)) = softplus(-y f),
plus an L2 penalty on the LAST layer only. A network with K >= 2 outputs (w2 (H, K), the multi-label
CHMM of appendix B) takes integer labels in 0..K-1, the softmax cross-entropy logsumexp(f) - f_y and
predicts argmax f; its labels are int64 arrays, which is how every function here tells the two apart.
L2 convention (l2 plays the role of lambda in eq. 6):
the objective of a mini-batch B drawn from a training set of size M is

    mean_{mu in B} l(y_mu, f(x_mu)) + (l2 / (2 M)) ||w2||^2,

so that M times it, summed over an epoch's worth of data, is  sum_mu l + (l2 / 2) ||w2||^2.

Optimiser: Adam with Keras's defaults (betas 0.9 / 0.999, eps 1e-7), as the paper uses TF 2.4; the fused
torch kernel when available. ``threads`` sets torch's intra-op threads for the duration of a training
call (restored afterwards): "auto" (default) = 1 thread on CPU for batch_size <= 512, None = leave
torch's setting; with batch 50 on a busy 2-core CPU one thread was ~10x faster than two.
Determinism: init from a torch.Generator seeded with ``seed``, mini-batch order from a second
CPU torch.Generator; on CPU two runs with the same seed give bit-identical weights.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as Fnn

from ..devices import pick_device

__all__ = ["TwoLayer", "TrainResult", "train_source", "train_two_layer", "train_two_layer_batched",
           "predict_error", "is_multilabel"]


PARAMETRISATIONS = ("eq6", "keras")

#: Flush subnormal floats to zero while training on CPU (see ``_threads``); off only to measure it.
FLUSH_DENORMAL = True
#: Binary networks train with the hand-written pass of ``_binary_step`` (the same numbers as autograd,
#: bit for bit, with less work); off only to measure it or to check that equality.
HAND_WRITTEN_STEP = True
#: Adam's fused kernel called directly, without torch's optimiser (``_Adam``); off only to measure it.
DIRECT_ADAM = True


def input_scale(parametrisation: str, D: int) -> float:
    """Factor applied to the inputs while a network trains, for a given parametrisation.

    "eq6": preactivations x W1 / D, the paper's eq. 6 taken literally (factor 1). "keras": x W1, as a
    TensorFlow/Keras Dense layer computes them (the paper's appendix D.2 trains with TF 2.4); obtained
    by training on D x. ReLU is positively homogeneous, so the transferred features ReLU(x W1 / D) are
    the same function family either way: only the training dynamics (Adam on weights of a network whose
    preactivations are D times larger) differ."""
    if parametrisation == "eq6":
        return 1.0
    if parametrisation == "keras":
        return float(D)
    raise ValueError(f"parametrisation must be one of {PARAMETRISATIONS}, got {parametrisation!r}")


def is_multilabel(y) -> bool:
    """Integer labels (class indices) mean a softmax network; float +-1 labels a binary one."""
    return np.issubdtype(np.asarray(y).dtype, np.integer)


def _loss(f: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per-sample loss, shaped like y: softplus(-y f) for +-1 labels (f shaped like y), softmax
    cross-entropy for class indices (f has K outputs on its last axis). Leading axes (a batch of
    networks, ``train_two_layer_batched``) are kept."""
    if y.is_floating_point():
        return Fnn.softplus(-y * f)
    return Fnn.cross_entropy(f.reshape(-1, f.shape[-1]), y.reshape(-1), reduction="none").reshape(y.shape)


def _wrong(f: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per-sample 0-1 error, shaped like y: sign (f = 0 counts as +1) or argmax over the last axis."""
    return ((f >= 0).float() * 2 - 1 != y) if y.is_floating_point() else (f.argmax(dim=-1) != y)


class TwoLayer(torch.nn.Module):
    """f(x) = (ReLU(x W1^T / D) - center) . w2 / sqrt(H); w2 (H,) or, with outputs=K, (H, K)."""

    def __init__(self, D: int, H: int, *, center=None, generator: torch.Generator | None = None,
                 _random_init: bool = True, outputs: int = 1):
        super().__init__()
        self.D, self.H = int(D), int(H)
        make = (lambda *shape: torch.randn(*shape, generator=generator)) if _random_init else torch.empty
        self.W1 = torch.nn.Parameter(make(self.H, self.D))
        self.w2 = torch.nn.Parameter(make(self.H) if outputs == 1 else make(self.H, int(outputs)))
        if center is not None:
            center = torch.as_tensor(np.asarray(center, dtype=np.float32))
            if center.shape != (self.H,):
                raise ValueError(f"center must have shape ({self.H},), got {tuple(center.shape)}")
        self.register_buffer("center", center)  # None -> no centring; buffers are not trained

    @classmethod
    def from_weights(cls, W1, w2, center=None) -> "TwoLayer":
        W1 = torch.as_tensor(np.asarray(W1, dtype=np.float32))
        w2 = torch.as_tensor(np.asarray(w2, dtype=np.float32))
        if W1.ndim != 2 or w2.ndim not in (1, 2) or w2.shape[0] != W1.shape[0]:
            raise ValueError(f"W1 must be (H, D) and w2 (H,) or (H, K), got {tuple(W1.shape)}, "
                             f"{tuple(w2.shape)}")
        net = cls(W1.shape[1], W1.shape[0], center=center, _random_init=False,
                  outputs=1 if w2.ndim == 1 else w2.shape[1])
        with torch.no_grad():
            net.W1.copy_(W1)
            net.w2.copy_(w2)
        return net

    def hidden(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.relu(x @ self.W1.T / self.D)
        return h if self.center is None else h - self.center

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.hidden(x) @ self.w2 / math.sqrt(self.H)


@dataclass
class TrainResult:
    """Trained weights (float32) and the per-epoch history.

    history columns: epoch, train_loss, val_loss, train_error, val_error. Row epoch 0 is the network at
    initialisation (full-data evaluation). For epochs >= 1, train_loss / train_error are Keras-style
    running means over the epoch's mini-batches (train_loss includes the L2 term), val_loss is the mean
    BCE on the validation set plus the same L2 term (Keras adds regularisation losses to val_loss),
    val_error the 0-1 error. Without validation data val_* are NaN.
    stopped_epoch: the last epoch that was trained (1-based; 0 if none); early_stopped: whether early
    stopping ended training before max_epochs.
    """

    W1: np.ndarray
    w2: np.ndarray
    history: pd.DataFrame
    stopped_epoch: int
    device: str
    early_stopped: bool = False


def _tensor(a, device) -> torch.Tensor:
    return torch.as_tensor(np.ascontiguousarray(a, dtype=np.float32)).to(device)


def _labels(y, device) -> torch.Tensor:
    """Labels as the loss wants them: float32 +-1, or int64 class indices."""
    if is_multilabel(y):
        return torch.as_tensor(np.ascontiguousarray(y, dtype=np.int64)).to(device)
    return _tensor(y, device)


@torch.no_grad()
def _evaluate(net: TwoLayer, X: torch.Tensor, y: torch.Tensor, penalty: float, chunk: int = 16384):
    """(mean loss + penalty, 0-1 error) on (X, y), chunked."""
    loss_sum, err_sum = 0.0, 0.0
    for i in range(0, X.shape[0], chunk):
        f = net(X[i : i + chunk])
        yy = y[i : i + chunk]
        loss_sum += _loss(f, yy).sum().item()
        err_sum += _wrong(f, yy).sum().item()
    n = max(X.shape[0], 1)
    return loss_sum / n + penalty, err_sum / n


class _Adam:
    """Adam with Keras's defaults (betas 0.9 and 0.999, eps 1e-7) over one list of parameters, with the
    optimiser's ``step()`` and ``zero_grad()``.

    Where this torch has Adam's fused kernel (about 10x faster on CPU than the loop over tensors), the
    kernel is called directly, with the state ``torch.optim.Adam(fused=True)`` creates (float32 step
    counts, zero moments) and the arguments its ``step()`` passes, so the weights are bit-identical to
    the optimiser's (tests/gerace2022/test_nets.py). Saved: the optimiser's Python around the kernel
    (0.58 -> 0.41 ms per step at H = 500, D = 1000) and, once per job, its construction, which imports
    ``torch._dynamo`` (about 1.6 s: most of a short job's training). Anything else (``DIRECT_ADAM`` off,
    no fused kernel, parameters on several devices or dtypes or on a device without the kernel, or a
    torch whose private kernel refuses these arguments at the first call) uses ``torch.optim.Adam``,
    fused where it can be."""

    BETAS, EPS = (0.9, 0.999), 1e-7

    @staticmethod
    def kernel(*args, **kwargs):
        return torch._fused_adam_(*args, **kwargs)

    def __init__(self, params, lr: float):
        self.params, self.lr, self.opt, self.verified = list(params), lr, None, False
        kinds = {(p.device.type, p.dtype) for p in self.params}
        direct = (DIRECT_ADAM and hasattr(torch, "_fused_adam_") and len(kinds) == 1
                  and next(iter(kinds))[0] in ("cpu", "cuda") and self.params[0].is_floating_point())
        if not direct:
            self.opt = self._optimiser()
            return
        self.exp_avgs = [torch.zeros_like(p, memory_format=torch.preserve_format) for p in self.params]
        self.exp_avg_sqs = [torch.zeros_like(p, memory_format=torch.preserve_format) for p in self.params]
        self.steps = [torch.zeros((), dtype=torch.float32, device=p.device) for p in self.params]

    def _optimiser(self) -> torch.optim.Adam:
        try:
            return torch.optim.Adam(self.params, lr=self.lr, betas=self.BETAS, eps=self.EPS, fused=True)
        except (RuntimeError, TypeError, ValueError):
            return torch.optim.Adam(self.params, lr=self.lr, betas=self.BETAS, eps=self.EPS)

    def zero_grad(self, set_to_none: bool = True) -> None:
        if self.opt is not None:
            return self.opt.zero_grad(set_to_none=set_to_none)
        for p in self.params:
            if set_to_none or p.grad is None:
                p.grad = None
            else:
                p.grad.zero_()

    def step(self) -> None:
        if self.opt is not None:
            return self.opt.step()
        live = [k for k, p in enumerate(self.params) if p.grad is not None]  # as the optimiser: skip the rest
        if not live:
            return
        steps = [self.steps[k] for k in live]
        with torch.no_grad():
            torch._foreach_add_(steps, 1)
            try:
                self.kernel([self.params[k] for k in live], [self.params[k].grad for k in live],
                            [self.exp_avgs[k] for k in live], [self.exp_avg_sqs[k] for k in live], [], steps,
                            amsgrad=False, lr=self.lr, beta1=self.BETAS[0], beta2=self.BETAS[1],
                            weight_decay=0.0, eps=self.EPS, maximize=False, grad_scale=None, found_inf=None)
            except (TypeError, RuntimeError):  # a torch whose private kernel takes other arguments
                if self.verified:
                    raise
                torch._foreach_sub_(steps, 1)
                self.opt = self._optimiser()  # nothing was updated: the optimiser starts from step 0
                return self.opt.step()
        self.verified = True

    def moments(self) -> list[torch.Tensor]:
        """Adam's first and second moments (to inspect them)."""
        if self.opt is not None:
            return [v for s in self.opt.state.values() for k, v in s.items() if k.startswith("exp_avg")]
        return self.exp_avgs + self.exp_avg_sqs


class _threads:
    """Temporarily set torch's intra-op thread count (None: leave it alone), and on CPU flush subnormal
    floats to zero (restored to torch's default, off, on exit).

    "auto": 1 thread for mini-batch training on CPU with batch_size <= 512 (a 50 x 1000 x 500 step is
    too small to split: measured ~10x faster than 2 threads on a loaded 2-core machine), else None.

    Subnormals: late in training, values below 1e-38 (subnormal float32) appear in the gradients and in
    Adam's moments (well-separated samples give loss gradients of order e^-margin; a moment whose gradient
    has gone to zero decays towards zero), and x86 arithmetic on them is many times slower. An ft-TF
    training at M = 3000 took 60.8 s with them and 14.8 s flushed (benchmarks/bench_training.py
    --denormals). Flushing changes a result only where a value below 1e-38 would have mattered: the
    weights of every training compared were bit-identical.
    The mode is per thread; torch's worker threads inherit it from the thread that starts them.
    """

    def __init__(self, n, *, device=None, batch_size=None):
        cpu = device is not None and torch.device(device).type == "cpu"
        if n == "auto":
            small = batch_size is not None and batch_size <= 512
            n = 1 if (cpu and small) else None
        self.n, self.old, self.flush = n, None, cpu and FLUSH_DENORMAL

    def __enter__(self):
        if self.n is not None:
            self.old = torch.get_num_threads()
            torch.set_num_threads(int(self.n))
        if self.flush:
            torch.set_flush_denormal(True)

    def __exit__(self, *exc):
        if self.flush:
            torch.set_flush_denormal(False)
        if self.old is not None:
            torch.set_num_threads(self.old)


@torch.no_grad()
def _binary_step(net: TwoLayer, xb: torch.Tensor, yb: torch.Tensor, reg: float):
    """Forward and backward pass of a binary network on one mini-batch, written out: sets the gradients
    of W1 and w2 and returns (objective, f) as the autograd step of ``_fit`` does.

    The objective is mean softplus(-y f) + reg ||w2||^2, f = (ReLU(x W1^T / D) - c) . w2 / sqrt(H). Each
    gradient is computed with the operations autograd applies, in its order, so the numbers are the same
    bit for bit (tests/gerace2022/test_nets.py); the saving is autograd's graph, its temporaries and a
    transposed copy of the W1 gradient. Measured by ``benchmarks/bench_training.py --hand-step``."""
    W1, w2, center, n = net.W1, net.w2, net.center, xb.shape[0]
    root_h = math.sqrt(net.H)
    h = torch.mm(xb, W1.t()).div_(net.D).relu_()
    hc = h if center is None else h - center
    f = torch.mv(hc, w2).div_(root_h)
    neg_y = -yb
    margin = neg_y * f
    objective = Fnn.softplus(margin).mean() + reg * w2.square().sum()
    # d objective / d f: softplus' backward of the mean's 1/n, times -y, then the 1/sqrt(H) of f
    g = torch.ops.aten.softplus_backward(torch.ones((), dtype=f.dtype).div(n).expand(n), margin, 1, 20)
    g = (g * neg_y).div_(root_h)
    penalty = torch.tensor(reg, dtype=w2.dtype).expand(w2.shape) * (2 * w2.pow(1))
    w2.grad = torch.mv(hc.t(), g) + penalty
    dh = torch.ops.aten.threshold_backward(torch.outer(g, w2), h, 0).div_(net.D)  # ReLU' and 1/D
    W1.grad = torch.mm(dh.t(), xb)
    return objective, f


def _fit(net, X, y, X_val, y_val, *, lr, batch_size, l2, max_epochs, patience, seed, device):
    """The shared mini-batch Adam loop. patience=None disables early stopping."""
    M = X.shape[0]
    reg = l2 / (2.0 * M)  # per-sample L2 strength (see module docstring)
    opt = _Adam(net.parameters(), lr)
    shuffle_gen = torch.Generator().manual_seed(int(seed) + 1)
    has_val = X_val is not None

    def penalty() -> float:
        return reg * float(net.w2.detach().square().sum())

    rows = []
    tl, te = _evaluate(net, X, y, penalty())
    vl, ve = _evaluate(net, X_val, y_val, penalty()) if has_val else (math.nan, math.nan)
    rows.append((0, tl, vl, te, ve))

    best, wait, stopped, early = math.inf, 0, 0, False
    hand = HAND_WRITTEN_STEP and y.is_floating_point()
    for epoch in range(1, max_epochs + 1):
        net.train()
        perm = torch.randperm(M, generator=shuffle_gen).to(device)
        loss_acc = torch.zeros((), device=device)
        err_acc = torch.zeros((), device=device)
        for i in range(0, M, batch_size):
            idx = perm[i : i + batch_size]
            xb, yb = X.index_select(0, idx), y.index_select(0, idx)  # the rows X[idx], copied faster
            if hand:
                loss, f = _binary_step(net, xb, yb, reg)
            else:
                f = net(xb)
                loss = _loss(f, yb).mean() + reg * net.w2.square().sum()
                opt.zero_grad(set_to_none=True)
                loss.backward()
            opt.step()
            with torch.no_grad():  # Keras-style running metrics, weighted by batch size
                loss_acc += loss.detach() * idx.numel()
                err_acc += _wrong(f.detach(), yb).sum()
        stopped = epoch
        tl, te = loss_acc.item() / M, err_acc.item() / M
        vl, ve = _evaluate(net, X_val, y_val, penalty()) if has_val else (math.nan, math.nan)
        rows.append((epoch, tl, vl, te, ve))
        if has_val and patience is not None:
            # Keras EarlyStopping(monitor="val_loss", min_delta=0, patience=p, restore_best_weights=False):
            # an epoch improves iff its val_loss is strictly below the best so far; stop once `wait`
            # consecutive non-improving epochs reach max(patience, 1) (Keras: wait >= patience after
            # wait += 1, so patience 0 and 1 coincide). With patience=0 training stops at the first
            # epoch whose val_loss does not decrease, keeping THAT epoch's weights.
            if vl < best:
                best, wait = vl, 0
            else:
                wait += 1
                if wait >= max(patience, 1):
                    early = True
                    break
    history = pd.DataFrame(rows, columns=["epoch", "train_loss", "val_loss", "train_error", "val_error"])
    return history, stopped, early


def _result(net, history, stopped, device, early=False) -> TrainResult:
    return TrainResult(
        W1=net.W1.detach().cpu().numpy().copy(),
        w2=net.w2.detach().cpu().numpy().copy(),
        history=history,
        stopped_epoch=int(stopped),
        device=str(device),
        early_stopped=bool(early),
    )


def train_source(
    X, y, X_val, y_val, *, H: int, lr: float = 1e-3, batch_size: int = 50, l2: float = 0.0,
    max_epochs: int = 200, patience: int | None = 0, seed: int, device="auto", threads: int | str | None = "auto",
    outputs: int = 1,
) -> TrainResult:
    """Train the 2-layer network from N(0, 1) init on the source task (paper appendix D.2).

    Adam(lr), mini-batches of ``batch_size``, BCE + L2 on the last layer (l2 = lambda, see module
    docstring), early stopping on the validation loss with ``patience`` (Keras semantics, 0 = stop at
    the first epoch whose val loss does not decrease; None = no early stopping). Like Keras's default
    restore_best_weights=False, the returned weights are those at the stopping epoch, NOT the best epoch.
    outputs=K >= 2: a softmax network for integer labels 0..K-1 (multi-label CHMM).
    """
    dev = pick_device(device)
    torch.manual_seed(int(seed))
    _check_labels(y, outputs)
    Xt, yt = _tensor(X, dev), _labels(y, dev)
    Xv, yv = (_tensor(X_val, dev), _labels(y_val, dev)) if X_val is not None else (None, None)
    net = TwoLayer(Xt.shape[1], H, generator=torch.Generator().manual_seed(int(seed)),
                   outputs=outputs).to(dev)
    with _threads(threads, device=dev, batch_size=batch_size):
        history, stopped, early = _fit(
            net, Xt, yt, Xv, yv, lr=lr, batch_size=batch_size, l2=l2, max_epochs=max_epochs,
            patience=patience, seed=seed, device=dev,
        )
    return _result(net, history, stopped, dev, early)


def train_two_layer(
    X, y, *, H: int, lr: float, batch_size: int, epochs: int, l2: float, seed: int,
    init: tuple | None = None, center=None, device="auto", X_val=None, y_val=None,
    threads: int | str | None = "auto", outputs: int = 1,
) -> TrainResult:
    """Train both layers for a fixed number of epochs (no early stopping).

    init=None: 2L from scratch (N(0, 1) init from ``seed``). init=(W1, w2): start from these weights,
    e.g. ft-TF = transferred W1 and the TF last layer, with ``center`` the feature mean used to fit it.
    epochs=0 returns the initial weights unchanged. Optional (X_val, y_val) only fill the history.
    outputs=K >= 2: softmax network (integer labels); with ``init`` it must match w2's columns.
    """
    dev = pick_device(device)
    torch.manual_seed(int(seed))
    _check_labels(y, outputs)
    Xt, yt = _tensor(X, dev), _labels(y, dev)
    if init is None:
        net = TwoLayer(Xt.shape[1], H, center=center, generator=torch.Generator().manual_seed(int(seed)),
                       outputs=outputs)
    else:
        net = TwoLayer.from_weights(init[0], init[1], center=center)
        if (1 if net.w2.ndim == 1 else net.w2.shape[1]) != outputs:
            raise ValueError(f"init readout has shape {tuple(net.w2.shape)}, expected {outputs} output(s)")
        if net.H != H or net.D != Xt.shape[1]:
            raise ValueError(f"init weights have (H, D) = ({net.H}, {net.D}), expected ({H}, {Xt.shape[1]})")
    net = net.to(dev)
    Xv, yv = (_tensor(X_val, dev), _labels(y_val, dev)) if X_val is not None else (None, None)
    with _threads(threads, device=dev, batch_size=batch_size):
        history, stopped, _ = _fit(
            net, Xt, yt, Xv, yv, lr=lr, batch_size=batch_size, l2=l2, max_epochs=int(epochs),
            patience=None, seed=seed, device=dev,
        )
    return _result(net, history, stopped, dev)


def train_two_layer_batched(
    Xs, ys, *, H: int, lr: float, batch_size: int, epochs: int, l2: float, seeds,
    inits: tuple | None = None, center=None, device="auto", threads: int | str | None = "auto",
    outputs: int = 1,
) -> list[TrainResult]:
    """``train_two_layer`` for B networks at once, on B training sets of the same size M: one batched
    model (stacked weights (B, H, D) and (B, H[, K]), batched matmuls, one Adam step for all).

    Each network is the one ``train_two_layer`` would train alone with the same arguments: its own
    initialisation (from its seed, or ``inits`` = (W1s, w2s) stacked), its own mini-batch order (the
    seed's shuffling generator), its own loss (the objective is the sum of the B networks' objectives,
    so each gradient is that network's own) and Adam's element-wise state, so equal to one-at-a-time
    training up to float rounding (the matmuls are blocked differently). Small training sets are
    overhead-bound one at a time (a 50 x 1000 x 500 step is far below the matmul peak); batched they are
    not. The history of each result holds the running training metrics per epoch (no validation)."""
    dev = pick_device(device)
    seeds = [int(s) for s in seeds]
    B = len(seeds)
    for y in ys:
        _check_labels(y, outputs)
    X = torch.stack([_tensor(x, "cpu") for x in Xs]).to(dev)  # (B, M, D)
    y = torch.stack([_labels(t, "cpu") for t in ys]).to(dev)  # (B, M)
    M, D = X.shape[1], X.shape[2]
    if inits is None:
        W1s, w2s = [], []
        for s in seeds:  # the draws of TwoLayer.__init__: W1 then w2 from one generator per seed
            g = torch.Generator().manual_seed(s)
            W1s.append(torch.randn(H, D, generator=g))
            w2s.append(torch.randn(H, generator=g) if outputs == 1 else torch.randn(H, outputs, generator=g))
        W1, w2 = torch.stack(W1s), torch.stack(w2s)
    else:
        W1 = torch.as_tensor(np.asarray(inits[0], dtype=np.float32)).clone()
        w2 = torch.as_tensor(np.asarray(inits[1], dtype=np.float32)).clone()
        if W1.shape != (B, H, D) or w2.shape[:2] != (B, H):
            raise ValueError(f"inits must be ({B}, {H}, {D}) and ({B}, {H}[, K]) arrays, got "
                             f"{tuple(W1.shape)}, {tuple(w2.shape)}")
    W1 = W1.to(dev).requires_grad_(True)
    w2 = w2.to(dev).requires_grad_(True)
    mu = None if center is None else torch.as_tensor(np.asarray(center, dtype=np.float32)).to(dev)
    reg = l2 / (2.0 * M)
    rows = torch.arange(B, device=dev)[:, None]
    gens = [torch.Generator().manual_seed(s + 1) for s in seeds]
    history = []

    def forward(xb):
        h = torch.relu(torch.bmm(xb, W1.transpose(1, 2)) / D)
        if mu is not None:
            h = h - mu
        f = torch.bmm(h, w2.unsqueeze(-1)).squeeze(-1) if w2.ndim == 2 else torch.bmm(h, w2)
        return f / math.sqrt(H)

    opt = _Adam([W1, w2], lr)
    with _threads(threads, device=dev, batch_size=batch_size):
        for epoch in range(1, int(epochs) + 1):
            perm = torch.stack([torch.randperm(M, generator=g) for g in gens]).to(dev)
            loss_acc = torch.zeros(B, device=dev)
            err_acc = torch.zeros(B, device=dev)
            for i in range(0, M, batch_size):
                idx = perm[:, i : i + batch_size]
                xb, yb = X[rows, idx], y[rows, idx]
                f = forward(xb)
                w2_sq = w2.square().sum(dim=tuple(range(1, w2.ndim)))
                loss = _loss(f, yb).mean(dim=1) + reg * w2_sq  # (B,): each network's objective
                opt.zero_grad(set_to_none=True)
                loss.sum().backward()
                opt.step()
                with torch.no_grad():
                    loss_acc += loss.detach() * idx.shape[1]
                    err_acc += _wrong(f.detach(), yb).sum(dim=1)
            history.append(((loss_acc / M).cpu().numpy(), (err_acc / M).cpu().numpy()))
    W1n, w2n = W1.detach().cpu().numpy(), w2.detach().cpu().numpy()
    out = []
    for k in range(B):
        h = pd.DataFrame({"epoch": np.arange(1, len(history) + 1),
                          "train_loss": [e[0][k] for e in history], "val_loss": math.nan,
                          "train_error": [e[1][k] for e in history], "val_error": math.nan})
        out.append(TrainResult(W1=W1n[k].copy(), w2=w2n[k].copy(), history=h, stopped_epoch=len(history),
                               device=str(dev)))
    return out


def _check_labels(y, outputs: int) -> None:
    """One output takes +-1 labels, K outputs integer labels in 0..K-1: say which mismatch it is."""
    y = np.asarray(y)
    if outputs == 1 and is_multilabel(y):
        raise ValueError("integer class labels need a network with outputs=K >= 2 (multi-label)")
    if outputs != 1 and (not is_multilabel(y) or (y.size and (y.min() < 0 or y.max() >= outputs))):
        raise ValueError(f"a network with {outputs} outputs needs integer labels in 0..{outputs - 1}")


def predict_error(W1, w2, X, y, center=None, *, chunk: int = 16384) -> float:
    """0-1 test error of sign(f(x)) (f = 0 counts as +1), or of argmax f(x) for a K-output network;
    computed on CPU in float32, chunked."""
    net = TwoLayer.from_weights(W1, w2, center=center)
    _, err = _evaluate(net, _tensor(X, "cpu"), _labels(y, "cpu"), 0.0, chunk=chunk)
    return float(err)
