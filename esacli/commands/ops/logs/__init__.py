"""The log commands (reference §8.7): `tail`, `grep`, `findevent` read a log across its
rolled-over files (`reading`); none of them changes anything or needs a commit."""
