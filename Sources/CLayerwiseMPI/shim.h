// Open MPI (Debian: libopenmpi-dev) for data-parallel training. MPI_COMM_WORLD, the
// datatypes and operations are macros over globals in Open MPI's mpi.h, which Swift
// cannot import: these getters hand them over.
#include <mpi.h>

static inline MPI_Comm lw_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype lw_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype lw_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype lw_mpi_char(void) { return MPI_CHAR; }
static inline MPI_Op lw_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op lw_mpi_max(void) { return MPI_MAX; }
static inline void *lw_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Status *lw_mpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline int lw_mpi_any_source(void) { return MPI_ANY_SOURCE; }
static inline MPI_Request lw_mpi_request_null(void) { return MPI_REQUEST_NULL; }
