"""Team coding: intercoder agreement, the disagreements to review, merging copies."""
