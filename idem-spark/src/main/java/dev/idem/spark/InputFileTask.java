package dev.idem.spark;

import dev.idem.cli.pipelinefile.PipelineDefinition;
import dev.idem.source.file.FilePart;
import dev.idem.source.file.FileSource;
import dev.idem.window.WindowSpec;
import java.io.IOException;
import java.io.Serializable;

/**
 * One Spark task learning one input file for the driver's source, on a source narrowed to the file
 * as {@link FileTask}'s: its size and SHA-256 (for the windows' fingerprints; of the whole file),
 * or what a part of it holds under a day or hour window spec (which windows, how many records
 * without one), so that the driver neither reads nor parses the input before the first window.
 */
record InputFileTask(PipelineRef pipeline, String pathSetting, WindowSpec spec, FilePart part)
    implements Serializable {
  private static final long serialVersionUID = 2L;

  FileSource.HashedFile hash() throws IOException {
    try (PipelineDefinition d = pipeline.narrowed(pathSetting)) {
      return ((FileSource) d.pipeline().source()).hashFile();
    }
  }

  FileSource.ScannedFile scan() throws IOException {
    try (PipelineDefinition d = pipeline.narrowed(pathSetting)) {
      return ((FileSource) d.pipeline().source()).scanFile(spec, part);
    }
  }
}
