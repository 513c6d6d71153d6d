"""symk.passes: graph rewrites (fold, prune, simplify, fuse) run by a verifying pass manager.

    graph2, report = symk.passes.run_pass("cse", graph)
    print(model.optimize(mode="inference"))          # the report table, model unchanged
    model.compile(..., optimize={"disable": ["bn_fold"], "verbose": True})
"""
from . import bn_fold, constant_fold, cse, dce, fold_weights, simplify, specialize  # noqa: F401  (register)
from . import fuse_elementwise, fuse_linear, merge_linear, stabilize  # noqa: F401  (register)
from . import cast_pairs  # noqa: F401  (register)
from .derived import DerivedVariable, with_derived  # noqa: F401
from .manager import PASSES, Pass, get_pass, register_pass, resolve, run_pass, run_pipeline  # noqa: F401
from .report import PassReport, PipelineReport  # noqa: F401
from .rewrite import Subject, subject_of  # noqa: F401
from .verify import VerificationError, verify  # noqa: F401
from .model_api import explain, optimize_model  # noqa: F401
from .snapshots import export_snapshots  # noqa: F401
