"""The training methods, by name (import-free: the plug-in reads them before TextAttack loads).

``bat-triplet`` and ``bat-pairwise``: :class:`~textattack_bat.training.trainers.BATTrainer`;
``safer``: :class:`~textattack_bat.training.trainers.SAFERTrainer`.
"""

METHODS: tuple[str, ...] = ("bat-triplet", "bat-pairwise", "safer")
