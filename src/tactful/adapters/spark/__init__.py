"""Apache Spark engine for mining histories that outgrow one machine (extra `tactful[spark]`)."""

from tactful.adapters.spark.engine import SparkEngine, SparkUnavailableError, spark_session

__all__ = ["SparkEngine", "SparkUnavailableError", "spark_session"]
