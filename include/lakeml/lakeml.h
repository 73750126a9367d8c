/* lakeml — Spark MLlib pipelines and Delta Lake tables in C. Includes every public header. */
#ifndef LAKEML_H
#define LAKEML_H

#include "version.h"
#include "error.h"
#include "log.h"
#include "threads.h"
#include "frame.h"
#include "arrow.h"
#include "csv.h"
#include "libsvm.h"
#include "parquet.h"
#include "delta.h"
#include "expr.h"
#include "ml/stage.h"
#include "ml/pipeline.h"
#include "ml/feature.h"
#include "ml/classification.h"
#include "ml/regression.h"
#include "ml/evaluation.h"
#include "ml/tree.h"
#include "ml/tuning.h"
#include "ml/persist.h"
#include "ml/functions.h"
#include "ml/scorer.h"

#endif
